"""What the case rules of a scan ask about every open case, computed once per scan.

The rules about reaching a client each need, for every open case, its person (the ranking of
``casework.cases.assignments``, else the organisation's longest-serving supervisor, as
``assignees`` picks), when any of the client's contact methods was last verified and when the
client was last reached. Asked as correlated subqueries, PostgreSQL answers them case by case,
rule by rule; here each is one grouped pass over its table, joined once into a temporary table
the rules read (``reminder_scan_case``), so a scan over 100,000 cases reads each table once.

The temporary table belongs to the database session. Within ``scan_facts()`` (a whole scan) it
is built once, by the first rule that needs it; a rule run on its own builds it for itself.
Nothing in it is kept between scans: the next scan builds it afresh."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

from casework.accounts.choices import Role
from casework.accounts.roles import CASE_RANK, OTHER_RANK
from casework.cases.choices import ContactOutcome
from casework.cases.lifecycles import SupportStatus

SUCCESS = [ContactOutcome.REACHED.value, ContactOutcome.MET_IN_PERSON.value]

# Memory for each sort and hash of a scan's large statements (``SET LOCAL``, that transaction
# only): at 100,000 cases the assignments' ranking sorts 400,000 rows and the grouped passes hash
# 100,000 groups, which the default 4 MB sends to temporary files.
WORK_MEM = "64MB"

_scan: ContextVar[dict[str, bool] | None] = ContextVar("reminder_scan_facts", default=None)

# The assignment ranking is the one of ``casework.cases.assignments._ranked``: the case's
# caseworker, then its ISVA, then anyone else assigned; among equals the one assigned longest;
# active accounts only. The fallback is ``assignees._supervisors``' first.
BUILD = """
CREATE TEMPORARY TABLE reminder_scan_case AS
SELECT c.id AS case_id, c.organisation_id, c.client_id, c.opened_at, c.support_status,
       COALESCE(person.user_id, supervisor.user_id) AS assignee_id,
       verified.last_verified, reached.last_success
FROM cases_case c
LEFT JOIN (
    SELECT DISTINCT ON (a.case_id) a.case_id, a.user_id
    FROM cases_caseassignment a
    JOIN accounts_user u ON u.id = a.user_id AND u.is_active
    ORDER BY a.case_id,
             COALESCE((%(ranks)s::jsonb ->> a.role)::integer, %(other_rank)s),
             a.assigned_at, a.id
) person ON person.case_id = c.id
LEFT JOIN (
    SELECT DISTINCT ON (organisation_id) organisation_id, id AS user_id
    FROM accounts_user
    WHERE role = %(supervisor)s AND is_active
    ORDER BY organisation_id, date_joined, id
) supervisor ON supervisor.organisation_id = c.organisation_id
LEFT JOIN (
    SELECT client_id, max(verified_at) AS last_verified
    FROM clients_contactmethod
    WHERE verified_at IS NOT NULL
    GROUP BY client_id
) verified ON verified.client_id = c.client_id
LEFT JOIN (
    SELECT case_id, max(occurred_at) AS last_success
    FROM cases_contactlogentry
    WHERE outcome = ANY(%(success)s)
    GROUP BY case_id
) reached ON reached.case_id = c.id
WHERE c.support_status <> %(closed)s
"""


def _drop(cursor) -> None:
    cursor.execute("DROP TABLE IF EXISTS pg_temp.reminder_scan_case")


def _build() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # One large query, unlike the API's short ones: it may use parallel workers, which the
        # connection settings turn off (as ``scan.set_scan_session`` does for each rule).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
        _drop(cursor)
        cursor.execute(
            BUILD,
            {
                "ranks": json.dumps({str(role): rank for role, rank in CASE_RANK.items()}),
                "other_rank": OTHER_RANK,
                "supervisor": Role.SUPERVISOR.value,
                "success": SUCCESS,
                "closed": SupportStatus.CLOSED.value,
            },
        )
        cursor.execute("ALTER TABLE pg_temp.reminder_scan_case ADD PRIMARY KEY (case_id)")
        # Temporary tables are never analysed by autovacuum; the rules' joins need the counts.
        cursor.execute("ANALYZE pg_temp.reminder_scan_case")


@contextmanager
def scan_facts() -> Iterator[None]:
    """A scan: the facts are built by the first rule that asks for them and serve every rule
    after it; they are dropped when the scan ends. Left behind by an error, the table goes with
    the session or is replaced by the next build."""
    if _scan.get() is not None:
        yield
        return
    state = {"built": False}
    token = _scan.set(state)
    try:
        yield
    finally:
        _scan.reset(token)
    if state["built"]:
        with connection.cursor() as cursor:
            _drop(cursor)


@contextmanager
def case_facts() -> Iterator[None]:
    """For a rule: the scan's facts, built now if no rule of the scan has built them yet; a
    rule run on its own builds them for itself."""
    state = _scan.get()
    if state is None:
        with scan_facts(), case_facts():
            yield
        return
    if not state["built"]:
        _build()
        state["built"] = True
    yield
