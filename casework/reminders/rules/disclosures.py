"""Police requests for records waiting past the charity's response time."""

from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery

from casework.cases.models import Case
from casework.disclosures.choices import RecordsRequestStatus
from casework.disclosures.models import RecordsRequest
from casework.sharing.choices import ShareStatus

from ..choices import ReminderKind
from . import Candidate, rule
from .common import LONDON, local_morning, reminder_assignee


@rule(ReminderKind.RECORDS_REQUEST_OVERDUE)
def records_requests_overdue(now: datetime) -> list[Candidate]:
    """A request still awaiting a decision after the day it was due (the organisation's response
    time in working days, fixed when it arrived): to whoever the case's reminders go to, from
    09:00 UK time the next day, until it is decided. A request on a share that has since ended
    waits no longer: nothing can be released across it."""
    today = now.astimezone(LONDON).date()
    assignee = Subquery(
        Case.objects.filter(pk=OuterRef("case_id")).annotate(a=reminder_assignee()).values("a")[:1]
    )
    rows = (
        RecordsRequest.objects.filter(
            status=RecordsRequestStatus.AWAITING_DECISION,
            respond_by__lt=today,
            shared_case__status=ShareStatus.ACTIVE,
        )
        .annotate(assignee=assignee)
        .filter(assignee__isnull=False)
        .values_list("id", "case__organisation_id", "case_id", "assignee", "respond_by")
    )
    return [
        Candidate(
            f"records_request_overdue:{request}",
            organisation,
            case,
            assignee,
            due_at=local_morning(due + timedelta(days=1)),
            detail={"records_request": str(request), "respond_by": due.isoformat()},
        )
        for request, organisation, case, assignee, due in rows
    ]
