"""Reading the consent ledger: the current decision per scope (and police force), the current
override per force, and which shares rest on consent (or an override) that is in force now.

The client's decisions and overrides are read apart: an override is not the client's consent, so
a refusal by the client leaves an override standing, and an override never counts as a grant
another scope could rest on."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import ConsentScope, DecisionKind, ShareStatus
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


def override_over(until: datetime | None, now: datetime | None = None) -> bool:
    """Whether an override that lasts ``until`` has run out (a share under none never does)."""
    return until is not None and until <= (now or timezone.now())


def shares_in_force(shares: QuerySet) -> QuerySet:
    """The shares among ``shares`` whose consent is in force today: active, not past the review
    date (the same rule as ``review_passed``, as a filter), and not past the expiry of the
    override it rests on, if it rests on one. Police access and everything sent across a share
    start from this, so nothing reaches a force under lapsed consent or an expired override,
    whether or not the sweep has caught up."""
    return (
        shares.filter(status=ShareStatus.ACTIVE)
        .filter(Q(review_date__isnull=True) | Q(review_date__gte=_today()))
        .filter(Q(override_until__isnull=True) | Q(override_until__gt=timezone.now()))
    )


def latest_decisions(decisions: QuerySet) -> dict[Key, CurrentConsent]:
    """The client's newest decision per (scope, force) among ``decisions`` (one case's ledger);
    overrides are not the client's and are left out."""
    current: dict[Key, CurrentConsent] = {}
    for decision in decisions.order_by("id"):
        if decision.kind != DecisionKind.CONSENT:
            continue
        current[(decision.scope, decision.police_force_id)] = CurrentConsent(decision)
    return current


def current_consent(case) -> dict[Key, CurrentConsent]:
    return latest_decisions(
        ConsentDecision.objects.filter(case=case, kind=DecisionKind.CONSENT).select_related(
            "police_force"
        )
    )


def latest_overrides(decisions: Iterable[ConsentDecision]) -> dict[uuid.UUID, ConsentDecision]:
    """The newest override or end of one per force among ``decisions`` (one case's ledger)."""
    latest: dict[uuid.UUID, ConsentDecision] = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        if decision.kind != DecisionKind.CONSENT and decision.police_force_id is not None:
            latest[decision.police_force_id] = decision
    return latest


def current_overrides(case) -> dict[uuid.UUID, ConsentDecision]:
    """Force id → the override in force for it now; expired and ended ones are left out."""
    decisions = ConsentDecision.objects.filter(case=case).exclude(kind=DecisionKind.CONSENT)
    return {
        force: decision
        for force, decision in latest_overrides(decisions).items()
        if override_in_force(decision)
    }


def override_in_force(decision: ConsentDecision, now: datetime | None = None) -> bool:
    return decision.kind == DecisionKind.OVERRIDE and not override_over(
        decision.override_expires_at, now
    )


def in_force(current: dict[Key, CurrentConsent], scope: str, force_id=None) -> bool:
    entry = current.get((scope, force_id))
    return bool(entry and entry.in_force)


def records_stored(current: dict[Key, CurrentConsent]) -> bool:
    return in_force(current, ConsentScope.STORE_RECORDS)
