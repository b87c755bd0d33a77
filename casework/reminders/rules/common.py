"""Query pieces the rules share."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, OuterRef, Subquery, Value, When

from casework.cases.models import CaseAssignment

LONDON = ZoneInfo("Europe/London")
MORNING = time(9, 0)


def primary_assignee():
    """The case's caseworker (else its ISVA, else anyone assigned) who is still active."""
    rank = CaseWhen(
        When(role="caseworker", then=Value(0)),
        When(role="isva", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return Subquery(
        CaseAssignment.objects.filter(case_id=OuterRef("pk"), user__is_active=True)
        .annotate(rank=rank)
        .order_by("rank", "assigned_at")
        .values("user_id")[:1]
    )


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
