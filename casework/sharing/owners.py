"""Whose share a police caller asked for, for the security event of a refused request. Never
shown to the caller: they get the same 404 for a share of another force, an old reference, an
ended share and an id that never existed."""

import uuid
from dataclasses import dataclass

from casework.accounts import principals
from casework.accounts.models import Organisation
from casework.accounts.principals import Principal

from .models import SharedCase


@dataclass(frozen=True)
class ShareOwner:
    organisation: Organisation
    case_id: uuid.UUID
    reference: str
    active: bool


def share_owner(share_id: str, *, asked_by: Principal) -> ShareOwner | None:
    """The charity that owns the share ``share_id`` when a police principal asked for it."""
    caller_org = getattr(asked_by, "organisation", None)
    if caller_org is None or not caller_org.is_police:
        return None
    if not (principals.is_police_liaison(asked_by) or principals.integration(asked_by)):
        return None
    try:
        pk = uuid.UUID(str(share_id))
    except ValueError:
        return None
    share = SharedCase.objects.select_related("case__organisation").filter(pk=pk).first()
    if share is None:
        return None
    return ShareOwner(
        share.case.organisation, share.case_id, share.share_reference, share.is_active
    )
