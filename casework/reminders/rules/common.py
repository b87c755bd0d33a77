"""Query pieces the rules share."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..assignees import reminder_assignee

__all__ = ["LONDON", "local_minus_days", "local_morning", "reminder_assignee", "stamp"]

LONDON = ZoneInfo("Europe/London")
MORNING = time(9, 0)


def local_morning(day) -> datetime:
    """09:00 UK time on ``day``, whatever the clocks are doing."""
    return datetime.combine(day, MORNING, tzinfo=LONDON)


def stamp(moment: datetime | None) -> str:
    """A stable text form of a moment for de-duplication keys."""
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%S") if moment else "never"


def local_minus_days(moment: datetime, days: int) -> datetime:
    """The same wall-clock time ``days`` earlier in the UK (across a clock change too)."""
    local = moment.astimezone(LONDON)
    return datetime.combine(
        local.date() - timedelta(days=days), local.timetz().replace(tzinfo=None), tzinfo=LONDON
    )
