"""The reminder rules. Each finds, with set-based queries, every reminder that should exist now,
as ``Candidate`` rows keyed by a de-duplication key that names the reason; the scan creates the
missing ones and cancels those whose reason has gone.

A rule that finds tens of thousands of reminders at scale is written as one SQL statement
(``due_rule``): the scan puts what it finds straight into a temporary table and compares it with
the reminders there, and no row of it comes to Python unless a reminder must be made. Asked on
its own, such a rule returns the same ``Candidate`` rows as any other."""

import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from ..choices import ReminderKind


@dataclass(frozen=True)
class Candidate:
    dedup_key: str
    organisation_id: object
    case_id: object
    assignee_id: object
    due_at: datetime
    detail: dict = field(default_factory=dict)
    shared_case_id: object = None


# The columns, in this order, of a statement that finds reminders (``Due.sql``).
DUE_COLUMNS = (
    "dedup_key",
    "organisation_id",
    "case_id",
    "shared_case_id",
    "assignee_id",
    "due_at",
    "detail",
)


@dataclass(frozen=True)
class Due:
    """The reminders a rule finds at a moment, as a statement selecting ``DUE_COLUMNS``;
    ``facts`` when it reads the open cases' facts (``..facts``)."""

    sql: str
    params: dict
    facts: bool = False


def due_candidates(rows) -> list[Candidate]:
    """Rows of ``DUE_COLUMNS`` as candidates. (The connections leave JSON to Django's fields, so a
    ``jsonb`` column read by hand comes as its text.)"""
    return [
        Candidate(key, organisation, case, assignee, due_at, json.loads(detail or "{}"), shared)
        for key, organisation, case, shared, assignee, due_at, detail in rows
    ]


def candidates(due: Due) -> list[Candidate]:
    from ..facts import case_facts

    with case_facts() if due.facts else nullcontext(), connection.cursor() as cursor:
        cursor.execute(due.sql, due.params)
        return due_candidates(cursor.fetchall())


# A reminder rule finds the reminders due at a moment. (An access rule, ``permissions.rules.Rule``,
# is another thing: who may use an action.)
ReminderRule = Callable[[datetime], list[Candidate]]
DueRule = Callable[[datetime], Due]

RULES: dict[str, ReminderRule] = {}
DUE_RULES: dict[str, DueRule] = {}


def rule(kind: str) -> Callable[[ReminderRule], ReminderRule]:
    def register(fn: ReminderRule) -> ReminderRule:
        RULES[kind] = fn
        return fn

    return register


def due_rule(kind: str) -> Callable[[DueRule], DueRule]:
    """A rule written as one statement: registered for the scan as that statement, and as a
    rule like any other, returning its rows as candidates."""

    def register(fn: DueRule) -> DueRule:
        DUE_RULES[kind] = fn
        RULES[kind] = lambda now: candidates(fn(now))
        return fn

    return register


def _load() -> None:
    from . import contact, contact_requests, court, disclosures, sharing  # noqa: F401


__all__ = ["DUE_RULES", "RULES", "Candidate", "Due", "ReminderKind", "due_rule", "rule"]
