"""Retention: closed cases older than their organisation's retention period are anonymised."""

from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from casework.cases.lifecycles import SupportStatus
from casework.cases.models import Case

from .anonymise import anonymise_case, anonymise_clients_without_live_cases

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


def apply(now: datetime | None = None, batch_size: int = 200) -> dict[str, int]:
    """Anonymises what is due, one case per transaction (so a stop loses nothing done)."""
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
    return {"cases": cases, "clients": clients}
