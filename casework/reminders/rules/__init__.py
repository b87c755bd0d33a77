"""The reminder rules. Each finds, with set-based queries, every reminder that should exist now,
as ``Candidate`` rows keyed by a de-duplication key that names the reason; the scan creates the
missing ones and cancels those whose reason has gone."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

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


# A reminder rule finds the reminders due at a moment. (An access rule, ``permissions.rules.Rule``,
# is another thing: who may use an action.)
ReminderRule = Callable[[datetime], list[Candidate]]

RULES: dict[str, ReminderRule] = {}


def rule(kind: str) -> Callable[[ReminderRule], ReminderRule]:
    def register(fn: ReminderRule) -> ReminderRule:
        RULES[kind] = fn
        return fn

    return register


def _load() -> None:
    from . import contact, contact_requests, court, disclosures, sharing  # noqa: F401


__all__ = ["RULES", "Candidate", "ReminderKind", "rule"]
