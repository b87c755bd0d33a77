"""The scan: makes the reminders in the database match what the rules find due now.

Idempotent by construction: a reminder is inserted with ``ON CONFLICT DO NOTHING`` on its
de-duplication key, so two scans at once, a late scan or a scan re-run after being killed all
end with each reminder exactly once. A rule's findings are compared with the reminders in
PostgreSQL (``stage``, ``apply_staged``): a scan that finds what the last one found sends and
writes no reminder rows. Each rule commits on its own (``durable``: never inside a
caller's transaction), so a scan killed halfway keeps what it finished."""

import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from casework.webhooks import outbox

from .choices import ACTIVE_STATUSES, ReminderStatus
from .facts import WORK_MEM, case_facts, scan_facts
from .models import Reminder
from .rules import DUE_RULES, RULES, Candidate, _load, due_candidates

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


# What a rule found, in a temporary table the statements below compare with the reminders:
# PostgreSQL hash-joins the two whole, where a list of every key found went out in each statement.
# It lives for one rule's transaction.
DUE_TABLE = """
CREATE TEMPORARY TABLE reminder_scan_due (
    dedup_key text NOT NULL, organisation_id uuid, case_id uuid, shared_case_id uuid,
    assignee_id uuid, due_at timestamptz, detail jsonb
) ON COMMIT DROP
"""
STAGE_DUE = "INSERT INTO pg_temp.reminder_scan_due "
STAGE_FOUND = """
INSERT INTO pg_temp.reminder_scan_due
SELECT * FROM unnest(%s::text[], %s::uuid[], %s::uuid[], %s::uuid[], %s::uuid[],
                     %s::timestamptz[], %s::jsonb[])
"""
# The keys found that no reminder of the kind has yet: ordinarily none, and then nothing comes
# back. Only the kind's reminders are read (every rule's keys begin with its own prefix; a key
# taken by another kind would still be refused by ``ON CONFLICT``).
MISSING = """
SELECT found.* FROM pg_temp.reminder_scan_due found
WHERE NOT EXISTS (SELECT 1 FROM reminders_reminder r
                  WHERE r.kind = %(kind)s AND r.dedup_key = found.dedup_key)
"""
# A reason that came back (a vacated hearing listed again) revives its reminder.
REVIVE = """
UPDATE reminders_reminder r SET status = %(open)s, cancelled_at = NULL
FROM pg_temp.reminder_scan_due found
WHERE r.dedup_key = found.dedup_key AND r.kind = %(kind)s AND r.status = %(cancelled)s
"""
# The reminders of the kind still active whose key was not found.
CANCEL = """
UPDATE reminders_reminder r SET status = %(cancelled)s, cancelled_at = %(now)s
WHERE r.kind = %(kind)s AND r.status = ANY(%(active)s::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_temp.reminder_scan_due found
                  WHERE found.dedup_key = r.dedup_key)
"""


def _due_table(cursor) -> None:
    cursor.execute("DROP TABLE IF EXISTS pg_temp.reminder_scan_due")
    cursor.execute(DUE_TABLE)


def _stage_candidates(cursor, candidates: list[Candidate]) -> None:
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        cursor.execute(
            STAGE_FOUND,
            [
                [c.dedup_key for c in batch],
                [c.organisation_id for c in batch],
                [c.case_id for c in batch],
                [c.shared_case_id for c in batch],
                [c.assignee_id for c in batch],
                [c.due_at for c in batch],
                [Jsonb(c.detail) for c in batch],
            ],
        )


def stage(kind: str, now: datetime, candidates: list[Candidate] | None = None) -> int:
    """Puts what the rule of ``kind`` finds at ``now`` (or ``candidates``, found already) in the
    temporary table, inside the caller's transaction, and returns how many rows that is. A rule
    written as one statement fills it in PostgreSQL: nothing it finds comes to Python."""
    due = DUE_RULES[kind](now) if candidates is None and kind in DUE_RULES else None
    if candidates is None and due is None:
        candidates = RULES[kind](now)
    facts = case_facts() if due is not None and due.facts else nullcontext()
    with facts, connection.cursor() as cursor:
        _due_table(cursor)
        if due is not None:
            # The rule's own statement, with its own parameters.
            cursor.execute(STAGE_DUE + due.sql, due.params)  # nosec B608
            found = cursor.rowcount
        else:
            _stage_candidates(cursor, candidates or [])
            found = len(candidates or [])
        # Temporary tables are never analysed by autovacuum; the joins need the counts.
        cursor.execute("ANALYZE pg_temp.reminder_scan_due")
    return found


def apply_staged(kind: str, found: int, now: datetime) -> ScanResult:
    """Makes the reminders of ``kind`` match the staged rows, inside the caller's transaction: a
    scan that finds what the last one found writes nothing."""
    params: dict[str, Any] = {
        "kind": kind,
        "open": ReminderStatus.OPEN.value,
        "cancelled": ReminderStatus.CANCELLED.value,
        "active": [str(status) for status in ACTIVE_STATUSES],
        "now": now,
    }
    result = ScanResult(found=found)
    with connection.cursor() as cursor:
        cursor.execute(MISSING, params)
        missing = due_candidates(cursor.fetchall())
        # ``ON CONFLICT DO NOTHING`` still decides: a scan racing this one may insert first.
        result.created = _insert(kind, missing) if missing else 0
        cursor.execute(REVIVE, params)
        result.revived = cursor.rowcount
        cursor.execute(CANCEL, params)
        result.cancelled = cursor.rowcount
        cursor.execute("DROP TABLE pg_temp.reminder_scan_due")
    return result


def raise_now(kind: str, candidates: list[Candidate]) -> int:
    """Creates reminders at once, inside the caller's transaction, under the keys the kind's rule
    finds: the next scan neither doubles them nor cancels them while their reason lasts."""
    return _insert(kind, candidates) if candidates else 0


def apply_rule(kind: str, candidates: list[Candidate], now: datetime) -> ScanResult:
    """Makes the reminders of ``kind`` match ``candidates``, found at ``now``."""
    with transaction.atomic():
        return apply_staged(kind, stage(kind, now, candidates), now)


def set_scan_session() -> None:
    """A scan is one large query per rule, unlike the API's short ones: inside its transaction
    it may use parallel workers and the JIT, which the connection settings turn off, and the
    memory to hash and sort a rule's findings without spilling to disk (``facts.WORK_MEM``)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute("SET LOCAL jit = on")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])


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
        for kind in RULES:
            if kinds and kind not in kinds:
                continue
            with transaction.atomic(durable=True):
                set_scan_session()
                results[kind] = apply_staged(kind, stage(kind, now), now)
    woken = wake_snoozed(now)
    logger.info(
        "reminder scan",
        extra={"results": {k: vars(v) for k, v in results.items()}, "woken": woken},
    )
    return results
