"""Reads of personal data are audited like writes: one event per request, naming every record it
showed, in the chain of the organisation whose records they are.

A police officer (or a force's API key) reading shared cases leaves the event in the owning
charity's chain, not the force's, so the charity's supervisors can account for every look; the
force is named as the actor's organisation."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import models

from casework.accounts.models import Organisation
from casework.accounts.principals import Principal
from casework.sharing.models import SharedCase

from .models import AuditEvent
from .services import audit_record

# A page holds at most 100 rows; anything longer is cut here rather than bloating one event.
MAX_IDS = 200


def _ids(records: Iterable) -> list[str]:
    return [str(getattr(r, "pk", r)) for r in records][:MAX_IDS]


def record_read(
    *,
    actor: Principal,
    action: str,
    records: Sequence,
    target: models.Model | None = None,
    organisation=None,
    case_id=None,
    case_ids: Iterable = (),
    client_id=None,
    detail: dict | None = None,
) -> AuditEvent:
    """One event for one request that showed ``records`` (model instances or ids); a detail
    read names its record as the ``target`` too, so it is found by its type and id."""
    return audit_record(
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        case_id=case_id,
        case_ids=case_ids,
        client_id=client_id,
        detail={"ids": _ids(records), "count": len(records), **(detail or {})},
    )


class ShareRef(NamedTuple):
    """What the audit of a police read needs of a share: read from a list's plain row, or taken
    from an instance (``of``)."""

    pk: Any
    share_reference: str
    case_id: Any
    client_id: Any
    organisation_id: Any
    police_force_id: Any

    @classmethod
    def of(cls, share: SharedCase) -> "ShareRef":
        """``share`` needs ``case`` loaded."""
        return cls(
            share.pk,
            share.share_reference,
            share.case_id,
            share.case.client_id,
            share.case.organisation_id,
            share.police_force_id,
        )


def record_police_read(
    *,
    actor: Principal,
    action: str,
    shares: Sequence[SharedCase | ShareRef],
    records: Sequence[object] | None = None,
    detail: dict | None = None,
) -> None:
    """A police principal's read of ``shares`` (and, through them, ``records``: updates or
    hearings): one event in each owning charity's chain, naming the shares, their cases and the
    force, with ``detail`` (such as the disclosure version a share's read saw). ``shares`` are
    refs, or instances with their ``case`` loaded."""
    by_charity: dict = defaultdict(list)
    for share in shares:
        ref = share if isinstance(share, ShareRef) else ShareRef.of(share)
        by_charity[ref.organisation_id].append(ref)
    for charity_id, group in by_charity.items():
        cases = [s.case_id for s in group]
        event_detail: dict[str, object] = {
            "shares": [s.share_reference for s in group],
            "police_force": str(group[0].police_force_id),
            **(detail or {}),
        }
        if records is not None:
            event_detail |= {"ids": _ids(records), "count": len(records)}
        audit_record(
            actor=actor,
            action=action,
            target=_share_target(group[0]) if len(group) == 1 else None,
            # Only its key goes into the event: no need to load the charity to name it.
            organisation=Organisation(pk=charity_id),
            case_id=cases[0] if len(cases) == 1 else None,
            case_ids=cases,
            client_id=group[0].client_id if len(group) == 1 else None,
            detail=event_detail,
        )


def _share_target(ref: ShareRef) -> SharedCase:
    """The one share a read showed, as the event's target (its type and id)."""
    return SharedCase(
        pk=ref.pk,
        share_reference=ref.share_reference,
        case_id=ref.case_id,
        police_force_id=ref.police_force_id,
    )
