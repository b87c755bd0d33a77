"""Rules about reaching the client: stale contact details, silence, and repeated failures."""

from datetime import UTC, datetime

from django.db import connection

from casework.accounts.choices import Role
from casework.accounts.models import User
from casework.cases.choices import ContactDirection, ContactOutcome
from casework.cases.lifecycles import SupportStatus
from casework.clients.choices import ContactKind, ContactStatus
from casework.clients.models import ContactMethod

from ..choices import ReminderKind
from ..facts import case_facts
from ..models import DEFAULT_POLICY
from . import Candidate, Due, due_rule, rule
from .common import days_later_sql, stamp, stamp_sql

SUCCESS = [ContactOutcome.REACHED, ContactOutcome.MET_IN_PERSON]
FAILED = [
    ContactOutcome.NO_ANSWER,
    ContactOutcome.NUMBER_UNAVAILABLE,
    ContactOutcome.WRONG_PERSON,
    ContactOutcome.EMAIL_BOUNCED,
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# An organisation's window (days) from its policy row, or the default (``policy.policy_days``).
def _window(field: str) -> str:
    return f"COALESCE(p.{field}, %({field})s)"


def _rows(sql: str, params: dict) -> list[tuple]:
    with case_facts(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Over the scan's facts (``..facts``): one row per open case, joined to its organisation's policy.
# ``since`` is the later of the case's opening and the last verification (or success); the key
# names the case and ``since`` (``common.stamp``), and the reminder is due a window after it.
DUE_TEMPLATE = """
SELECT %(prefix)s || ':' || case_id || ':' || {stamp},
       organisation_id, case_id, NULL::uuid, assignee_id, {due_at}, jsonb_build_object()
FROM (
    SELECT f.case_id, f.organisation_id, f.assignee_id,
           GREATEST(COALESCE(f.{{last}}, f.opened_at), f.opened_at) AS since,
           {{window}} AS window_days
    FROM pg_temp.reminder_scan_case f
    LEFT JOIN reminders_reminderpolicy p ON p.organisation_id = f.organisation_id
    WHERE f.assignee_id IS NOT NULL {{only}}
) due
WHERE since < %(now)s - make_interval(days => window_days)
"""
DUE = DUE_TEMPLATE.format(stamp=stamp_sql("since"), due_at=days_later_sql("since", "window_days"))


@due_rule(ReminderKind.REVERIFY_CONTACT)
def reverify_contact(now: datetime) -> Due:
    """No contact method of the client verified within the window (counted from the case's
    opening for a client never verified)."""
    field = "reverify_after_days"
    return Due(
        DUE.format(last="last_verified", window=_window(field), only=""),
        {"prefix": "reverify", "now": now, field: DEFAULT_POLICY[field]},
        facts=True,
    )


@due_rule(ReminderKind.NO_RECENT_CONTACT)
def no_recent_contact(now: datetime) -> Due:
    """An active client nobody has reached within the window."""
    field = "no_contact_after_days"
    return Due(
        DUE.format(
            last="last_success", window=_window(field), only="AND f.support_status = %(active)s"
        ),
        {
            "prefix": "no_contact",
            "now": now,
            field: DEFAULT_POLICY[field],
            "active": SupportStatus.ACTIVE.value,
        },
        facts=True,
    )


# Failed outbound attempts since the last success (since ever, for a client never reached),
# counted in one grouped pass over the contact log of the open cases.
FAILURES = """
SELECT f.case_id, f.organisation_id, f.client_id, f.last_success
FROM pg_temp.reminder_scan_case f
LEFT JOIN reminders_reminderpolicy p ON p.organisation_id = f.organisation_id
LEFT JOIN (
    SELECT l.case_id, count(*) AS failures
    FROM cases_contactlogentry l
    JOIN pg_temp.reminder_scan_case o ON o.case_id = l.case_id
    WHERE l.direction = %(outbound)s AND l.outcome = ANY(%(failed)s)
      AND l.occurred_at > COALESCE(o.last_success, %(epoch)s)
    GROUP BY l.case_id
) n ON n.case_id = f.case_id
WHERE COALESCE(n.failures, 0) >= {threshold}
"""


@rule(ReminderKind.CONTACT_FAILURES)
def contact_failures(now: datetime) -> list[Candidate]:
    """Repeated failed attempts since the last success, on whatever route: each supervisor of the
    organisation is asked to try the client's other routes."""
    field = "failures_before_escalation"
    rows = _rows(
        FAILURES.format(threshold=_window(field)),
        {
            field: DEFAULT_POLICY[field],
            "outbound": ContactDirection.OUTBOUND.value,
            "failed": [str(outcome) for outcome in FAILED],
            "epoch": EPOCH,
        },
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
