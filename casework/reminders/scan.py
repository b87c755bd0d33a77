"""The scan: makes the reminders in the database match what the rules find due now.

Idempotent by construction: a reminder is inserted with ``ON CONFLICT DO NOTHING`` on its
de-duplication key, so two scans at once, a late scan or a scan re-run after being killed all
end with each reminder exactly once. Each rule commits on its own (``durable``: never inside a
caller's transaction), so a scan killed halfway keeps what it finished."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from casework.webhooks import outbox

from .choices import ACTIVE_STATUSES, ReminderStatus
from .facts import scan_facts
from .models import Reminder
from .rules import RULES, Candidate, _load

logger = logging.getLogger("casework.reminders")
BATCH = 1000
NO_SNOOZE_REASON = Reminder._meta.get_field("snooze_reason")


@dataclass
class ScanResult:
    """What one reminder rule's pass changed."""

    found: int = 0
    created: int = 0
    cancelled: int = 0
    revived: int = 0


INSERT = """
    INSERT INTO reminders_reminder (
        id, organisation_id, kind, case_id, shared_case_id, assignee_id, due_at, status,
        dedup_key, detail, snooze_reason, created_at
    )
    SELECT row.id, row.organisation_id, %s, row.case_id, row.shared_case_id, row.assignee_id,
           row.due_at, 'open', row.dedup_key, row.detail, row.snooze_reason, now()
    FROM unnest(%s::uuid[], %s::uuid[], %s::uuid[], %s::uuid[], %s::uuid[],
                %s::timestamptz[], %s::text[], %s::jsonb[], %s::text[])
         AS row(id, organisation_id, case_id, shared_case_id, assignee_id, due_at, dedup_key,
                detail, snooze_reason)
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING id, organisation_id, case_id
"""


def _insert(kind: str, candidates: list[Candidate]) -> int:
    """Inserts the reminders not there yet and returns how many this call created (a scan racing
    another one does not count the other's rows)."""
    created = 0
    with connection.cursor() as cursor:
        for start in range(0, len(candidates), BATCH):
            batch = candidates[start : start + BATCH]
            cursor.execute(
                INSERT,
                [
                    kind,
                    [uuid.uuid4() for _ in batch],
                    [c.organisation_id for c in batch],
                    [c.case_id for c in batch],
                    [c.shared_case_id for c in batch],
                    [c.assignee_id for c in batch],
                    [c.due_at for c in batch],
                    [c.dedup_key for c in batch],
                    [Jsonb(c.detail) for c in batch],
                    # The empty reason, sealed like any the field type writes.
                    [NO_SNOOZE_REASON.get_prep_value("") for _ in batch],
                ],
            )
            made = cursor.fetchall()
            created += len(made)
            outbox.reminders_due(made)
    return created


# The keys found go to PostgreSQL as one array constant (the connections bind parameters on the
# client), which PostgreSQL 15 hashes for ``= ANY`` and ``<> ALL`` alike; Django's
# ``NOT (dedup_key IN (...))`` over tens of thousands of parameters was not. (An anti-join on
# ``unnest`` is no better: the planner guesses a hundred keys and loops over them row by row.)
REVIVE = """
    UPDATE reminders_reminder SET status = %(open)s, cancelled_at = NULL
    WHERE kind = %(kind)s AND status = %(cancelled)s AND dedup_key = ANY(%(keys)s::text[])
"""
# The reminders of the kind still active whose key was not found.
CANCEL = """
    UPDATE reminders_reminder SET status = %(cancelled)s, cancelled_at = %(now)s
    WHERE kind = %(kind)s AND status = ANY(%(active)s::text[])
      AND dedup_key <> ALL(%(keys)s::text[])
"""


# The keys found that no reminder has yet: a probe of the unique index per key, in one round trip.
MISSING = """
    SELECT found.key FROM unnest(%(keys)s::text[]) AS found(key)
    WHERE NOT EXISTS (SELECT 1 FROM reminders_reminder r WHERE r.dedup_key = found.key)
"""


def _missing(cursor, params: dict[str, Any], candidates: list[Candidate]) -> list[Candidate]:
    """The candidates to insert. A scan that changes nothing sends no rows at all: most keys
    found have had their reminder since an earlier scan, and sending every one to be refused by
    ``ON CONFLICT`` cost more than the rest of the scan together."""
    cursor.execute(MISSING, params)
    missing = {key for (key,) in cursor.fetchall()}
    return [c for c in candidates if c.dedup_key in missing]


def raise_now(kind: str, candidates: list[Candidate]) -> int:
    """Creates reminders at once, inside the caller's transaction, under the keys the kind's rule
    finds: the next scan neither doubles them nor cancels them while their reason lasts."""
    return _insert(kind, candidates) if candidates else 0


def apply_rule(kind: str, candidates: list[Candidate], now: datetime) -> ScanResult:
    params: dict[str, Any] = {
        "kind": kind,
        "keys": [c.dedup_key for c in candidates],
        "open": ReminderStatus.OPEN.value,
        "cancelled": ReminderStatus.CANCELLED.value,
        "active": [str(status) for status in ACTIVE_STATUSES],
        "now": now,
    }
    result = ScanResult(found=len(candidates))
    with transaction.atomic(), connection.cursor() as cursor:
        # ``ON CONFLICT DO NOTHING`` still decides: a scan racing this one may insert first.
        result.created = _insert(kind, _missing(cursor, params, candidates))
        # A reason that came back (a vacated hearing listed again) revives its reminder.
        cursor.execute(REVIVE, params)
        result.revived = cursor.rowcount
        cursor.execute(CANCEL, params)
        result.cancelled = cursor.rowcount
    return result


def set_scan_session() -> None:
    """A scan is one large query per rule, unlike the API's short ones: inside its transaction
    it may use parallel workers and the JIT, which the connection settings turn off."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute("SET LOCAL jit = on")


def wake_snoozed(now: datetime) -> int:
    return Reminder.objects.filter(status=ReminderStatus.SNOOZED, snoozed_until__lte=now).update(
        status=ReminderStatus.OPEN, snoozed_until=None
    )


def run_scan(now: datetime | None = None, kinds: list[str] | None = None) -> dict[str, ScanResult]:
    """Runs every rule (or the named ones) against the database as it is at ``now``."""
    _load()
    now = now or timezone.now()
    results = {}
    with scan_facts():
        for kind, find in RULES.items():
            if kinds and kind not in kinds:
                continue
            with transaction.atomic(durable=True):
                set_scan_session()
                results[kind] = apply_rule(kind, find(now), now)
    woken = wake_snoozed(now)
    logger.info(
        "reminder scan",
        extra={"results": {k: vars(v) for k, v in results.items()}, "woken": woken},
    )
    return results
