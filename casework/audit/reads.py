"""Reads of personal data are audited like writes: one event per request, naming every record it
showed, in the chain of the organisation whose records they are.

A police officer (or a force's API key) reading shared cases leaves the event in the owning
charity's chain, not the force's, so the charity's supervisors can account for every look; the
force is named as the actor's organisation."""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import models

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


def record_police_read(
    *,
    actor: Principal,
    action: str,
    shares: Sequence[SharedCase],
    records: Sequence[object] | None = None,
    detail: dict | None = None,
) -> None:
    """A police principal's read of ``shares`` (and, through them, ``records``: updates or
    hearings): one event in each owning charity's chain, naming the shares, their cases and the
    force, with ``detail`` (such as the disclosure version a share's read saw). ``shares`` need
    ``case`` with its ``organisation`` loaded."""
    by_charity: dict = defaultdict(list)
    for share in shares:
        by_charity[share.case.organisation_id].append(share)
    for group in by_charity.values():
        charity = group[0].case.organisation
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
            target=group[0] if len(group) == 1 else None,
            organisation=charity,
            case_id=cases[0] if len(cases) == 1 else None,
            case_ids=cases,
            client_id=group[0].case.client_id if len(group) == 1 else None,
            detail=event_detail,
        )
