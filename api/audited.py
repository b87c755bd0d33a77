"""Reads of personal data are audited like writes: one event per request that names every
record it showed (``casework.audit.reads``).

Viewsets name what they serve with ``read_audit`` (e.g. ``"note"``); their list and detail
actions are then recorded as ``note.list`` and ``note.read`` once the response is ready, so a
response that could not be recorded is never sent. Other reads call ``audit_read`` or
``audit_page`` themselves."""

from collections.abc import Sequence
from typing import Any

from rest_framework import viewsets

from casework.audit.reads import record_read
from casework.cases.models import Case
from casework.clients.models import Client

from .rows import AuditRef, Row

READ_METHODS = ("GET", "HEAD")


def _case_ids(records: Sequence) -> list:
    ids = []
    for record in records:
        if isinstance(record, Case):
            ids.append(record.pk)
        elif getattr(record, "case_id", None) is not None:
            ids.append(record.case_id)
    return list(dict.fromkeys(ids))


def _client_ids(records: Sequence) -> set:
    ids = set()
    for record in records:
        if isinstance(record, Client):
            ids.add(record.pk)
        elif getattr(record, "client_id", None) is not None:
            ids.add(record.client_id)
    return ids


def audit_read(
    request, records: Sequence, *, action: str, case_id=None, client_id=None, target=None
) -> None:
    """Records one read by the caller of ``records`` (instances, or ids of serialised rows);
    ``target`` is the one record a detail read showed."""
    case_ids = _case_ids(records)
    if case_id is None and len(case_ids) == 1:
        case_id = case_ids[0]
    if client_id is None:
        clients = _client_ids(records)
        client_id = clients.pop() if len(clients) == 1 else None
    record_read(
        actor=request.user,
        action=action,
        records=list(records),
        case_id=case_id,
        case_ids=case_ids,
        client_id=client_id,
        target=target,
    )


def audit_page(request, data: dict, *, action: str, case_id=None, client_id=None) -> None:
    """For a page already serialised: the ids of its ``results``."""
    ids = [row["id"] for row in data.get("results", []) if isinstance(row, dict) and "id" in row]
    audit_read(request, ids, action=action, case_id=case_id, client_id=client_id)


class AuditedReadsMixin(viewsets.GenericViewSet):
    """Records the list and detail reads of a viewset that sets ``read_audit``."""

    read_audit: str | None = None

    def _is_audited_read(self) -> bool:
        return (
            self.read_audit is not None
            and self.request.method in READ_METHODS
            and getattr(self, "action", None) in ("list", "retrieve")
        )

    def audit_ref(self, row: Row) -> tuple[Any, ...]:
        """What the audit names of a row served without a model instance (``api.rows``): an
        ``AuditRef`` here; a viewset whose reads are audited otherwise gives what its
        ``audit_records_read`` takes."""
        return AuditRef(row["id"], row.get("case_id"), row.get("client_id"))

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self._is_audited_read() and self.action == "list":
            records = list(page) if page is not None else []
            if records and isinstance(records[0], dict):
                records = [self.audit_ref(row) for row in records]
            self._records_read = records
        return page

    def get_object(self):
        found = super().get_object()
        if self._is_audited_read() and self.action == "retrieve":
            self._records_read = [found]
        return found

    def read_case_id(self):
        """The case a nested route is under, already checked to be visible."""
        return self.kwargs.get("case_id")

    def read_client_id(self, records: Sequence):
        """The client a nested route is under; otherwise found from the records."""
        return self.kwargs.get("client_id")

    def audit_records_read(self, records: Sequence) -> None:
        verb = "list" if self.action == "list" else "read"
        audit_read(
            self.request,
            records,
            action=f"{self.read_audit}.{verb}",
            case_id=self.read_case_id(),
            client_id=self.read_client_id(records),
            target=records[0] if verb == "read" else None,
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        records = getattr(self, "_records_read", None)
        if records is not None and 200 <= response.status_code < 300:
            self._records_read = None
            self.audit_records_read(records)
        return response
