"""Reading the consent ledger: the current decision per scope (and police force), and which
shares rest on consent that is in force today."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import ConsentScope, ShareStatus
from .models import ConsentDecision

Key = tuple[str, uuid.UUID | None]  # (scope, police force id or None)


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
        return bool(self.decision.granted and review_passed(self.decision.review_date))


def _today() -> date:
    return timezone.localdate()


def review_passed(review_date: date | None) -> bool:
    """A grant lapses the day after its review date, unless renewed; the nightly sweep only
    catches up with what this already says."""
    return review_date is not None and review_date < _today()


def shares_in_force(shares: QuerySet) -> QuerySet:
    """The shares among ``shares`` whose consent is in force today: active, and not past the
    review date (the same rule as ``review_passed``, as a filter). Police access and everything
    sent across a share start from this, so nothing reaches a force under lapsed consent."""
    return shares.filter(status=ShareStatus.ACTIVE).filter(
        Q(review_date__isnull=True) | Q(review_date__gte=_today())
    )


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
