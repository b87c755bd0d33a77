"""Reading the audit trail, always through ``restrict`` first: a supervisor reads their own
organisation's events and nothing else."""

from django.db.models import Q, QuerySet

from permissions.querysets import restrict

from .models import AuditEvent


def audit_events(principal: object) -> QuerySet:
    return restrict(AuditEvent.objects.all(), principal=principal, action="view")


def concerning_case(events: QuerySet, case_id) -> QuerySet:
    """Events about the case: its own, and those that covered it among others (a page read)."""
    return events.filter(Q(case_id=case_id) | Q(case_ids__contains=[case_id]))


def case_access_log(principal: object, case) -> QuerySet:
    """Who read or changed the case, when, from which organisation: newest first."""
    return concerning_case(audit_events(principal), case.pk).select_related("actor_organisation")


def client_access_log(principal: object, client) -> QuerySet:
    """Who read or changed the client's record (identity, contact routes), newest first."""
    return audit_events(principal).filter(client_id=client.pk).select_related("actor_organisation")
