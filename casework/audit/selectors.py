"""Reading the audit trail, always narrowed to what the reader may see first: a supervisor reads
their own organisation's events and nothing else."""

import uuid

from django.db.models import Q, QuerySet

from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.access import visible_to

from .models import AuditEvent


def audit_events(*, fetched_by: Principal) -> "QuerySet[AuditEvent]":
    return visible_to(AuditEvent.objects.all(), fetched_by)


def audit_trail(*, principal: Principal, action: str = "view") -> "QuerySet[AuditEvent]":
    """The trail a supervisor reads, with the organisation each actor acted for."""
    return visible_to(AuditEvent.objects.all(), principal, action=action).select_related(
        "actor_organisation"
    )


def concerning_case(events: "QuerySet[AuditEvent]", case_id: uuid.UUID) -> "QuerySet[AuditEvent]":
    """Events about the case: its own, and those that covered it among others (a page read)."""
    return events.filter(Q(case_id=case_id) | Q(case_ids__contains=[case_id]))


def case_access_log(*, case: Case, fetched_by: Principal) -> "QuerySet[AuditEvent]":
    """Who read or changed the case, when, from which organisation: newest first."""
    return concerning_case(audit_events(fetched_by=fetched_by), case.pk).select_related(
        "actor_organisation"
    )


def client_access_log(*, client: Client, fetched_by: Principal) -> "QuerySet[AuditEvent]":
    """Who read or changed the client's record (identity, contact routes), newest first."""
    return (
        audit_events(fetched_by=fetched_by)
        .filter(client_id=client.pk)
        .select_related("actor_organisation")
    )
