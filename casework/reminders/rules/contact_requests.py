"""Rules about police contact requests: the case's staff hear of an open request at once (an
urgent one goes to the supervisors too), and the supervisors hear of one left unanswered past the
charity's response time. Both last while the request is open."""

from collections import defaultdict
from datetime import datetime

from casework.accounts.choices import Role
from casework.accounts.models import User
from casework.cases.models import CaseAssignment
from casework.contact_requests.choices import ContactRequestStatus, ContactRequestUrgency
from casework.contact_requests.models import ContactRequest

from ..choices import ReminderKind
from . import Candidate, rule

FIELDS = ("pk", "case_id", "case__organisation_id", "urgency", "created_at", "respond_by")


def _supervisors(organisation_ids: set) -> dict:
    found: dict = defaultdict(list)
    for user_id, organisation in (
        User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, organisation_id__in=organisation_ids
        )
        .order_by("date_joined", "id")
        .values_list("pk", "organisation_id")
    ):
        found[organisation].append(user_id)
    return found


def _case_staff(case_ids: set) -> dict:
    found: dict = defaultdict(list)
    for case_id, user_id in (
        CaseAssignment.objects.filter(case_id__in=case_ids, user__is_active=True)
        .order_by("assigned_at", "id")
        .values_list("case_id", "user_id")
    ):
        found[case_id].append(user_id)
    return found


def request_candidates(rows: list[tuple]) -> list[Candidate]:
    """The reminders that open requests (rows of ``FIELDS``) call for: one for each member of
    staff on the case (the supervisors where nobody is), and for each supervisor too when the
    request is urgent."""
    if not rows:
        return []
    staff = _case_staff({row[1] for row in rows})
    supervisors = _supervisors({row[2] for row in rows})
    candidates = []
    for request_id, case_id, organisation, urgency, created_at, _ in rows:
        people = list(staff.get(case_id) or supervisors.get(organisation, []))
        if urgency == ContactRequestUrgency.URGENT:
            people += [p for p in supervisors.get(organisation, []) if p not in people]
        candidates += [
            Candidate(
                f"contact_request:{request_id}:{person}",
                organisation,
                case_id,
                person,
                due_at=created_at,
                detail={"contact_request": str(request_id), "urgency": urgency},
            )
            for person in people
        ]
    return candidates


@rule(ReminderKind.CONTACT_REQUEST)
def contact_requests_open(now: datetime) -> list[Candidate]:
    rows = list(
        ContactRequest.objects.filter(status=ContactRequestStatus.OPEN).values_list(*FIELDS)
    )
    return request_candidates(rows)


@rule(ReminderKind.CONTACT_REQUEST_OVERDUE)
def contact_requests_overdue(now: datetime) -> list[Candidate]:
    """An open request past its response time goes to every active supervisor of the charity."""
    rows = list(
        ContactRequest.objects.filter(
            status=ContactRequestStatus.OPEN, respond_by__lte=now
        ).values_list(*FIELDS)
    )
    if not rows:
        return []
    supervisors = _supervisors({row[2] for row in rows})
    return [
        Candidate(
            f"contact_request_overdue:{request_id}:{person}",
            organisation,
            case_id,
            person,
            due_at=respond_by,
            detail={
                "contact_request": str(request_id),
                "urgency": urgency,
                "respond_by": respond_by.isoformat(),
            },
        )
        for request_id, case_id, organisation, urgency, _, respond_by in rows
        for person in supervisors.get(organisation, [])
    ]
