"""Rules about reaching the client: stale contact details, silence, and repeated failures."""

from datetime import UTC, datetime, timedelta

from django.db.models import Count, DateTimeField, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from casework.accounts.choices import Role
from casework.accounts.models import User
from casework.cases.choices import ContactDirection, ContactOutcome
from casework.cases.lifecycles import SupportStatus
from casework.cases.models import Case, ContactLogEntry
from casework.clients.choices import ContactKind, ContactStatus
from casework.clients.models import ContactMethod

from ..choices import ReminderKind
from ..policy import days, policy_days
from . import Candidate, rule
from .common import reminder_assignee, stamp

SUCCESS = [ContactOutcome.REACHED, ContactOutcome.MET_IN_PERSON]
FAILED = [
    ContactOutcome.NO_ANSWER,
    ContactOutcome.NUMBER_UNAVAILABLE,
    ContactOutcome.WRONG_PERSON,
    ContactOutcome.EMAIL_BOUNCED,
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _last_success():
    return Subquery(
        ContactLogEntry.objects.filter(case_id=OuterRef("pk"), outcome__in=SUCCESS)
        .order_by()
        .values("case_id")
        .annotate(latest=Max("occurred_at"))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )


def _open_cases():
    return Case.objects.exclude(support_status=SupportStatus.CLOSED)


@rule(ReminderKind.REVERIFY_CONTACT)
def reverify_contact(now: datetime) -> list[Candidate]:
    """No contact method of the client verified within the window (counted from the case's
    opening for a client never verified)."""
    last_verified = Subquery(
        ContactMethod.objects.filter(client_id=OuterRef("client_id"), verified_at__isnull=False)
        .order_by()
        .values("client_id")
        .annotate(latest=Max("verified_at"))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )
    rows = (
        _open_cases()
        .annotate(
            window=policy_days("reverify_after_days"),
            since=Greatest(Coalesce(last_verified, F("opened_at")), F("opened_at")),
            assignee=reminder_assignee(),
        )
        .filter(since__lt=Value(now) - days(F("window")), assignee__isnull=False)
        .values_list("pk", "organisation_id", "assignee", "since", "window")
    )
    return [
        Candidate(
            f"reverify:{case}:{stamp(since)}",
            org,
            case,
            assignee,
            due_at=since + timedelta(days=window),
        )
        for case, org, assignee, since, window in rows
    ]


@rule(ReminderKind.NO_RECENT_CONTACT)
def no_recent_contact(now: datetime) -> list[Candidate]:
    """An active client nobody has reached within the window."""
    rows = (
        Case.objects.filter(support_status=SupportStatus.ACTIVE)
        .annotate(
            window=policy_days("no_contact_after_days"),
            since=Greatest(Coalesce(_last_success(), F("opened_at")), F("opened_at")),
            assignee=reminder_assignee(),
        )
        .filter(since__lt=Value(now) - days(F("window")), assignee__isnull=False)
        .values_list("pk", "organisation_id", "assignee", "since", "window")
    )
    return [
        Candidate(
            f"no_contact:{case}:{stamp(since)}",
            org,
            case,
            assignee,
            due_at=since + timedelta(days=window),
        )
        for case, org, assignee, since, window in rows
    ]


@rule(ReminderKind.CONTACT_FAILURES)
def contact_failures(now: datetime) -> list[Candidate]:
    """Repeated failed attempts since the last success, on whatever route: each supervisor of the
    organisation is asked to try the client's other routes."""
    failures = Subquery(
        ContactLogEntry.objects.filter(
            case_id=OuterRef("pk"),
            direction=ContactDirection.OUTBOUND,
            outcome__in=FAILED,
            occurred_at__gt=OuterRef("since"),
        )
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    rows = list(
        _open_cases()
        .annotate(last_success=_last_success())
        .annotate(since=Coalesce(F("last_success"), Value(EPOCH)))
        .annotate(
            failures=Coalesce(failures, Value(0)),
            threshold=policy_days("failures_before_escalation"),
        )
        .filter(failures__gte=F("threshold"))
        .values_list("pk", "organisation_id", "client_id", "last_success")
    )
    if not rows:
        return []
    supervisors: dict = {}
    for user_id, org in User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, organisation_id__in={r[1] for r in rows}
    ).values_list("pk", "organisation_id"):
        supervisors.setdefault(org, []).append(user_id)
    other_routes: dict = {}
    for method_id, client_id in (
        ContactMethod.objects.filter(
            client_id__in={r[2] for r in rows},
            kind__in=[ContactKind.THIRD_PARTY, ContactKind.OUTREACH_LOCATION],
        )
        .exclude(status__in=[ContactStatus.RETIRED, ContactStatus.DEAD])
        .values_list("pk", "client_id")
    ):
        other_routes.setdefault(client_id, []).append(str(method_id))
    return [
        Candidate(
            f"failures:{case}:{stamp(last_success)}:{supervisor}",
            org,
            case,
            supervisor,
            due_at=now,
            detail={
                "last_successful_contact": last_success.isoformat() if last_success else None,
                "other_routes": other_routes.get(client, []),
            },
        )
        for case, org, client, last_success in rows
        for supervisor in supervisors.get(org, [])
    ]
