"""Retention: closed cases older than their organisation's retention period are anonymised, and
so is what never became a case (referrals declined or left unaccepted, clients with no case)
after the organisation's shorter period for those."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from casework.cases.choices import ReferralStatus
from casework.cases.lifecycles import SupportStatus
from casework.cases.models import Case, Referral
from casework.clients.models import Client

from .anonymise import (
    anonymise_case,
    anonymise_client,
    anonymise_clients_without_live_cases,
    anonymise_referral,
)

ACTOR = "retention"


@dataclass(frozen=True)
class Due:
    case_id: object
    reference: str
    organisation: str
    closed_at: datetime


def due_for_anonymisation(now: datetime | None = None):
    """Closed, not yet anonymised, and closed more than the organisation's years ago."""
    now = now or timezone.now()
    cutoff = models.ExpressionWrapper(
        models.Value(now)
        - models.Func(
            models.F("organisation__retention_years"),
            function="make_interval",
            template="make_interval(years => %(expressions)s)",
        ),
        output_field=models.DateTimeField(),
    )
    return (
        Case.objects.filter(support_status=SupportStatus.CLOSED, anonymised_at__isnull=True)
        .annotate(cutoff=cutoff)
        .filter(closed_at__lt=models.F("cutoff"))
        .order_by("closed_at")
    )


def preview(now: datetime | None = None) -> list[Due]:
    return [
        Due(c.pk, c.reference, c.organisation.name, c.closed_at)
        for c in due_for_anonymisation(now).select_related("organisation")
    ]


@dataclass(frozen=True)
class Unconverted:
    """A referral or client that never became a case, due for anonymisation."""

    kind: str  # "referral" or "client"
    id: object
    organisation: str
    why: str  # "declined", "never accepted", "no case"
    since: datetime


def _cutoff(now: datetime, organisation_path: str) -> models.ExpressionWrapper:
    """``now`` less the organisation's months for records that never became a case."""
    return models.ExpressionWrapper(
        models.Value(now)
        - models.Func(
            models.F(f"{organisation_path}__unconverted_retention_months"),
            function="make_interval",
            template="make_interval(months => %(expressions)s)",
        ),
        output_field=models.DateTimeField(),
    )


def referrals_due(now: datetime | None = None):
    """Referrals with no case, not yet anonymised: declined longer ago than the organisation's
    months, or still waiting for a decision since longer ago than that."""
    now = now or timezone.now()
    return (
        Referral.objects.filter(anonymised_at__isnull=True, case__isnull=True)
        .annotate(cutoff=_cutoff(now, "organisation"))
        .filter(
            models.Q(status=ReferralStatus.DECLINED, decided_at__lt=models.F("cutoff"))
            | models.Q(status=ReferralStatus.NEW, received_at__lt=models.F("cutoff"))
        )
        .order_by("received_at")
    )


def clients_due(now: datetime | None = None):
    """Clients recorded longer ago than the organisation's months who have never had a case."""
    now = now or timezone.now()
    return (
        Client.objects.filter(anonymised_at__isnull=True)
        .filter(~models.Exists(Case.objects.filter(client_id=models.OuterRef("pk"))))
        .annotate(cutoff=_cutoff(now, "organisation"))
        .filter(created_at__lt=models.F("cutoff"))
        .order_by("created_at")
    )


def preview_unconverted(now: datetime | None = None) -> list[Unconverted]:
    referrals = [
        Unconverted(
            "referral",
            r.pk,
            r.organisation.name,
            "declined" if r.status == ReferralStatus.DECLINED else "never accepted",
            r.decided_at if r.status == ReferralStatus.DECLINED else r.received_at,
        )
        for r in referrals_due(now).select_related("organisation")
    ]
    clients = [
        Unconverted("client", c.pk, c.organisation.name, "no case", c.created_at)
        for c in clients_due(now).select_related("organisation")
    ]
    return referrals + clients


def apply(now: datetime | None = None, batch_size: int = 200) -> dict[str, int]:
    """Anonymises what is due, one record per transaction (so a stop loses nothing done), at
    most ``batch_size`` of each kind."""
    cases = clients = 0
    touched_clients = set()
    for case_id, client_id in due_for_anonymisation(now).values_list("pk", "client_id")[
        :batch_size
    ]:
        with transaction.atomic(durable=True):
            anonymise_case(Case.objects.get(pk=case_id), actor=ACTOR, reason="retention")
        touched_clients.add(client_id)
        cases += 1
    clients = anonymise_clients_without_live_cases(touched_clients, actor=ACTOR, reason="retention")
    referrals = 0
    for referral_id in referrals_due(now).values_list("pk", flat=True)[:batch_size]:
        with transaction.atomic(durable=True):
            anonymise_referral(Referral(pk=referral_id), actor=ACTOR, reason="retention")
        referrals += 1
    never_a_case = 0
    for client_id in clients_due(now).values_list("pk", flat=True)[:batch_size]:
        with transaction.atomic(durable=True):
            anonymise_client(Client(pk=client_id), actor=ACTOR, reason="retention")
        never_a_case += 1
    return {
        "cases": cases,
        "clients": clients + never_a_case,
        "referrals": referrals,
        "clients_without_a_case": never_a_case,
    }
