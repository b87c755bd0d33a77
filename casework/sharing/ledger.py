"""Reading the consent ledger: the current decision per scope (and police force)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from .choices import ConsentScope
from .models import ConsentDecision

Key = tuple[str, object]  # (scope, police force id or None)


@dataclass(frozen=True)
class CurrentConsent:
    """The latest decision on a scope, and whether it is in force today (a grant whose review date
    has passed without renewal has lapsed)."""

    decision: ConsentDecision

    @property
    def in_force(self) -> bool:
        return self.decision.granted and not self.lapsed

    @property
    def lapsed(self) -> bool:
        review = self.decision.review_date
        return bool(self.decision.granted and review is not None and review < _today())


def _today() -> date:
    return timezone.localdate()


def latest_decisions(decisions: QuerySet) -> dict[Key, CurrentConsent]:
    """The newest decision per (scope, force) among ``decisions`` (one case's ledger)."""
    current: dict[Key, CurrentConsent] = {}
    for decision in decisions.order_by("id"):
        current[(decision.scope, decision.police_force_id)] = CurrentConsent(decision)
    return current


def current_consent(case) -> dict[Key, CurrentConsent]:
    return latest_decisions(
        ConsentDecision.objects.filter(case=case).select_related("police_force")
    )


def in_force(current: dict[Key, CurrentConsent], scope: str, force_id=None) -> bool:
    entry = current.get((scope, force_id))
    return bool(entry and entry.in_force)


def records_stored(current: dict[Key, CurrentConsent]) -> bool:
    return in_force(current, ConsentScope.STORE_RECORDS)
