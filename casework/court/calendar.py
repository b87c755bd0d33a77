"""A staff member's hearings as an iCalendar feed. It names the case by its reference and the
court, never the client."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from casework.accounts.models import User
from casework.cases.models import CaseAssignment

from .choices import HearingStatus
from .models import CourtEvent

HEARING_LENGTH = timedelta(hours=2)
PAST_WINDOW = timedelta(days=30)


def hearings_for(user: User):
    return (
        CourtEvent.objects.filter(
            case_id__in=CaseAssignment.objects.filter(user=user).values("case_id"),
            starts_at__gte=timezone.now() - PAST_WINDOW,
        )
        .exclude(status=HearingStatus.VACATED)
        .select_related("case")
        .order_by("starts_at")
    )


def render_feed(hearings) -> bytes:
    """The feed of ``hearings`` (``hearings_for`` someone), read once by the caller so that the
    read can be audited with exactly what it showed."""
    calendar = Calendar()
    calendar.add("prodid", "-//Casework//Court calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Casework hearings")
    stamp = timezone.now()
    for hearing in hearings:
        event = Event()
        event.add("uid", f"{hearing.pk}@casework")
        event.add("dtstamp", stamp)
        event.add("dtstart", hearing.starts_at)
        event.add("dtend", hearing.starts_at + HEARING_LENGTH)
        event.add("summary", f"{hearing.get_hearing_type_display()}: {hearing.case.reference}")
        event.add("location", hearing.court)
        event.add("description", f"Status: {hearing.get_status_display()}")
        if hearing.status == HearingStatus.ADJOURNED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
