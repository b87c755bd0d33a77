"""The checker: does a phone number, email, registration or handle match a published alert?

The value is normalised and hashed under the checker's keys (``identifiers.query_hashes``), and
only the hash is compared with the identifiers of the organisation's live alerts. The value
itself is never stored, logged or audited, nor is its hash: the only trace of a query is a
count per caller per day (``CheckerUsage``) and an audit event saying a check was made, of which
kind, and whether it matched."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.accounts.principals import Principal, integration
from casework.audit.services import audit_record

from .identifiers import normalise_identifier, query_hashes
from .models import Alert, AlertIdentifier


@dataclass(frozen=True)
class CheckResult:
    matches: bool
    count: int
    latest_month: str | None  # "YYYY-MM" of the latest matching alert's week
    references: Sequence[str]


def caller_id(principal: Principal) -> str:
    found = integration(principal)
    if found is not None:
        return f"key:{found.api_key.public_id}"
    return f"person:{principal.pk}"


def _count_query(principal: Principal, day: date) -> None:
    """One more query by the caller today, in one statement (two at once never lose one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO alerts_checkerusage (caller, organisation_id, day, queries) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (caller, day) "
            "DO UPDATE SET queries = alerts_checkerusage.queries + 1",
            [caller_id(principal), principal.organisation_id, day],
        )


def _matching(alerts: "QuerySet[Alert]", kind: str, normalised: str) -> "QuerySet[Alert]":
    condition = Q()
    for key_id, digest in query_hashes(kind, normalised):
        condition |= Q(value_hash=digest, hash_key_id=key_id)
    matched = AlertIdentifier.objects.filter(condition, kind=kind).values("alert_id")
    return alerts.filter(pk__in=matched)


@transaction.atomic
def checker_query(
    *, principal: Principal, alerts: "QuerySet[Alert]", kind: str, value: str
) -> CheckResult:
    """``alerts`` are the live alerts the caller may check against (a selector's). Raises a
    ``ValidationError`` naming ``value`` (never repeating it) when it cannot be read."""
    try:
        normalised = normalise_identifier(kind, value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from None
    found = list(
        _matching(alerts, kind, normalised)
        .order_by("-week_of", "-published_at")
        .values_list("reference", "week_of")
    )
    _count_query(principal, timezone.localdate())
    result = CheckResult(
        matches=bool(found),
        count=len(found),
        latest_month=found[0][1].strftime("%Y-%m") if found else None,
        references=[reference for reference, _ in found],
    )
    audit_record(
        actor=principal,
        action="checker.query",
        organisation=principal.organisation,
        detail={"kind": kind, "matches": result.matches, "count": result.count},
    )
    return result
