"""Rules about consent and shares: reviews coming up, and police updates overdue."""

from datetime import datetime, timedelta

from django.db.models import DateTimeField, Exists, F, Max, OuterRef, Subquery, UUIDField, Value
from django.db.models.functions import Coalesce, Greatest

from casework.accounts.choices import Role
from casework.accounts.models import User
from casework.cases.models import Case
from casework.sharing.choices import DecisionKind, ShareStatus, SharingLevel
from casework.sharing.models import ConsentDecision, SharedCase, SharedUpdate

from ..choices import ReminderKind
from ..policy import days, policy_days
from . import Candidate, rule
from .common import local_morning, reminder_assignee, stamp

NO_FORCE = "00000000-0000-0000-0000-000000000000"


def _force_key():
    """The decision's police force, or a fixed stand-in, so "same force" compares NULLs equal."""
    return Coalesce(F("police_force_id"), Value(NO_FORCE, output_field=UUIDField()))


@rule(ReminderKind.CONSENT_REVIEW)
def consent_reviews(now: datetime) -> list[Candidate]:
    """A grant still in the ledger's last word whose review date is near (or past: it lapsed and
    needs renewing); the reminder goes when a newer decision of the client's is recorded (an
    override is not theirs, and leaves their grant to renew)."""
    newer = ConsentDecision.objects.annotate(force=_force_key()).filter(
        kind=DecisionKind.CONSENT,
        case_id=OuterRef("case_id"),
        scope=OuterRef("scope"),
        force=OuterRef("force"),
        id__gt=OuterRef("id"),
    )
    lead = policy_days("consent_review_lead_days", "case__organisation_id")
    rows = (
        ConsentDecision.objects.filter(granted=True, review_date__isnull=False)
        .annotate(force=_force_key(), superseded=Exists(newer), lead=lead)
        .filter(superseded=False)
        .filter(review_date__lte=Value(now.date()) + days(F("lead")))
        .annotate(
            assignee=Subquery(
                Case.objects.filter(pk=OuterRef("case_id"))
                .annotate(a=reminder_assignee())
                .values("a")[:1]
            )
        )
        .filter(assignee__isnull=False)
        .values_list(
            "public_id",
            "case__organisation_id",
            "case_id",
            "assignee",
            "review_date",
            "lead",
            "scope",
        )
    )
    return [
        Candidate(
            f"consent_review:{decision}",
            org,
            case,
            assignee,
            due_at=local_morning(review - timedelta(days=lead)),
            detail={"decision": str(decision), "scope": scope, "review_date": review.isoformat()},
        )
        for decision, org, case, assignee, review, lead, scope in rows
        if review is not None  # the filter on the review date leaves no row without one
    ]


@rule(ReminderKind.POLICE_UPDATE_OVERDUE)
def police_updates_overdue(now: datetime) -> list[Candidate]:
    """An identified share with no police update for the charity's window: each of the force's
    liaison officers is reminded, only while the share lasts."""
    last_update = Subquery(
        SharedUpdate.objects.filter(shared_case_id=OuterRef("pk"), from_police=True)
        .order_by()
        .values("shared_case_id")
        .annotate(latest=Max("created_at"))
        .values("latest")[:1],
        output_field=DateTimeField(),
    )
    rows = list(
        SharedCase.objects.filter(status=ShareStatus.ACTIVE, level=SharingLevel.IDENTIFIED)
        .annotate(
            window=policy_days("police_update_overdue_days", "case__organisation_id"),
            since=Greatest(Coalesce(last_update, F("started_at")), F("started_at")),
        )
        .filter(since__lt=Value(now) - days(F("window")))
        .values_list("pk", "police_force_id", "case_id", "since", "window")
    )
    if not rows:
        return []
    officers: dict = {}
    for user_id, force in User.objects.filter(
        role=Role.POLICE_LIAISON, is_active=True, organisation_id__in={r[1] for r in rows}
    ).values_list("pk", "organisation_id"):
        officers.setdefault(force, []).append(user_id)
    return [
        Candidate(
            f"police_update:{share}:{stamp(since)}:{officer}",
            force,
            case,
            officer,
            due_at=since + timedelta(days=window),
            shared_case_id=share,
            detail={"last_update": since.isoformat()},
        )
        for share, force, case, since, window in rows
        for officer in officers.get(force, [])
    ]
