"""Rules about consent and shares: reviews coming up, and police updates overdue."""

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Subquery, UUIDField, Value
from django.db.models.functions import Coalesce

from casework.accounts.choices import Role
from casework.cases.models import Case
from casework.sharing.choices import DecisionKind, ShareStatus, SharingLevel
from casework.sharing.models import ConsentDecision

from ..choices import ReminderKind
from ..models import DEFAULT_POLICY
from ..policy import days, policy_days
from . import Candidate, Due, due_rule, rule
from .common import days_later_sql, iso_sql, local_morning, reminder_assignee, stamp_sql

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


# Each share's last police update comes from one grouped pass over the updates, where a
# correlated subquery asked the updates of every share in turn.
POLICE_UPDATE_TEMPLATE = """
SELECT 'police_update:' || s.id || ':' || {stamp} || ':' || officer.id,
       s.police_force_id, s.case_id, s.id, officer.id,
       {due_at},
       jsonb_build_object('last_update', {last_update})
FROM (
    SELECT share.id, share.police_force_id, share.case_id,
           GREATEST(COALESCE(updated.latest, share.started_at), share.started_at) AS since,
           COALESCE(p.police_update_overdue_days, %(window)s) AS window_days
    FROM sharing_sharedcase share
    JOIN cases_case c ON c.id = share.case_id
    LEFT JOIN reminders_reminderpolicy p ON p.organisation_id = c.organisation_id
    LEFT JOIN (
        SELECT shared_case_id, max(created_at) AS latest
        FROM sharing_sharedupdate
        WHERE from_police
        GROUP BY shared_case_id
    ) updated ON updated.shared_case_id = share.id
    WHERE share.status = %(active)s AND share.level = %(identified)s
) s
JOIN accounts_user officer
  ON officer.organisation_id = s.police_force_id AND officer.role = %(liaison)s
     AND officer.is_active
WHERE s.since < %(now)s - make_interval(days => s.window_days)
"""
POLICE_UPDATE = POLICE_UPDATE_TEMPLATE.format(
    stamp=stamp_sql("s.since"),
    due_at=days_later_sql("s.since", "s.window_days"),
    last_update=iso_sql("s.since"),
)


@due_rule(ReminderKind.POLICE_UPDATE_OVERDUE)
def police_updates_overdue(now: datetime) -> Due:
    """An identified share with no police update for the charity's window: each of the force's
    liaison officers is reminded, only while the share lasts."""
    return Due(
        POLICE_UPDATE,
        {
            "now": now,
            "window": DEFAULT_POLICY["police_update_overdue_days"],
            "active": ShareStatus.ACTIVE.value,
            "identified": SharingLevel.IDENTIFIED.value,
            "liaison": Role.POLICE_LIAISON.value,
        },
    )
