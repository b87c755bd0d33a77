"""The scan: makes the reminders in the database match what the rules find due now.

Idempotent by construction: a reminder is inserted with ``ON CONFLICT DO NOTHING`` on its
de-duplication key, so two scans at once, a late scan or a scan re-run after being killed all
end with each reminder exactly once. Each rule commits on its own, so a scan killed halfway
keeps what it finished."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .choices import ACTIVE_STATUSES, ReminderStatus
from .models import Reminder
from .rules import RULES, Candidate, _load

logger = logging.getLogger("casework.reminders")
BATCH = 1000


@dataclass
class RuleResult:
    found: int = 0
    created: int = 0
    cancelled: int = 0
    revived: int = 0


def apply_rule(kind: str, candidates: list[Candidate], now: datetime) -> RuleResult:
    keys = [c.dedup_key for c in candidates]
    result = RuleResult(found=len(candidates))
    with transaction.atomic():
        before = Reminder.objects.filter(kind=kind).count() if candidates else 0
        Reminder.objects.bulk_create(
            [
                Reminder(
                    kind=kind,
                    dedup_key=c.dedup_key,
                    organisation_id=c.organisation_id,
                    case_id=c.case_id,
                    shared_case_id=c.shared_case_id,
                    assignee_id=c.assignee_id,
                    due_at=c.due_at,
                    detail=c.detail,
                )
                for c in candidates
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        if candidates:
            result.created = Reminder.objects.filter(kind=kind).count() - before
        # A reason that came back (a vacated hearing listed again) revives its reminder.
        result.revived = Reminder.objects.filter(
            kind=kind, status=ReminderStatus.CANCELLED, dedup_key__in=keys
        ).update(status=ReminderStatus.OPEN, cancelled_at=None)
        result.cancelled = (
            Reminder.objects.filter(kind=kind, status__in=ACTIVE_STATUSES)
            .exclude(dedup_key__in=keys)
            .update(status=ReminderStatus.CANCELLED, cancelled_at=now)
        )
    return result


def wake_snoozed(now: datetime) -> int:
    return Reminder.objects.filter(status=ReminderStatus.SNOOZED, snoozed_until__lte=now).update(
        status=ReminderStatus.OPEN, snoozed_until=None
    )


def run_scan(now: datetime | None = None, kinds: list[str] | None = None) -> dict[str, RuleResult]:
    """Runs every rule (or the named ones) against the database as it is at ``now``."""
    _load()
    now = now or timezone.now()
    results = {}
    for kind, find in RULES.items():
        if kinds and kind not in kinds:
            continue
        results[kind] = apply_rule(kind, find(now), now)
    woken = wake_snoozed(now)
    logger.info(
        "reminder scan",
        extra={"results": {k: vars(v) for k, v in results.items()}, "woken": woken},
    )
    return results
