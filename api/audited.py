"""Reads of sensitive records are audited like writes."""

from casework.audit.services import audit_record


def audit_read(request, obj, *, action: str, case_id=None) -> None:
    audit_record(actor=request.user, action=action, target=obj, case_id=case_id)
