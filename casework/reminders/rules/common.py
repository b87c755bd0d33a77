"""Query pieces the rules share."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..assignees import reminder_assignee

__all__ = [
    "LONDON",
    "days_later_sql",
    "iso_sql",
    "local_minus_days",
    "local_morning",
    "reminder_assignee",
    "stamp",
    "stamp_sql",
]

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


# The same texts written by PostgreSQL, for rules written as one statement (``Due``): a key that
# differed from ``stamp()`` by a character would make every reminder anew.
def stamp_sql(moment: str) -> str:
    """SQL for ``stamp()`` of the timestamp expression ``moment`` (never NULL)."""
    return f"""to_char(({moment}) AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS')"""


def iso_sql(moment: str) -> str:
    """SQL for ``moment.isoformat()`` of a timestamp in UTC, as psycopg reads it: microseconds
    only when there are some."""
    utc = f"({moment}) AT TIME ZONE 'UTC'"
    return (
        f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
        f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END"
        " || '+00:00'"
    )


def days_later_sql(moment: str, days: str) -> str:
    """SQL for ``moment + timedelta(days=days)``: whole 24-hour days, whatever the session's
    time zone (a calendar day across a clock change would be 23 or 25 hours)."""
    return f"({moment}) + make_interval(hours => 24 * ({days}))"
