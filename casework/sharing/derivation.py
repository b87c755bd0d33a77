"""Deriving what each police force may see from the ledger, and making the permission rows match.

Runs inside the transaction of every consent decision, so access and decision commit together."""

import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from casework.accounts.models import Organisation
from casework.audit.services import audit_record

from .choices import POLICE_SCOPES, ConsentScope, ShareStatus, SharingLevel
from .ledger import current_consent, in_force, records_stored
from .models import SharedCase, SharedCaseGroupObjectPermission

LIAISON_GROUP = "org:{id}:police_liaison"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ShareState:
    level: str | None  # None: nothing is shared with this force
    contact_directly: bool
    review_date: date | None


def liaison_group(force: Organisation) -> Group:
    group, _ = Group.objects.get_or_create(name=LIAISON_GROUP.format(id=force.pk))
    return group


def _view_permission() -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(SharedCase), codename="view_sharedcase"
    )


def expected_shares(case) -> dict:
    """Force id → the share the ledger calls for today. An anonymised case shares nothing."""
    current = current_consent(case)
    forces = {force for (scope, force) in current if scope in POLICE_SCOPES and force}
    states = {}
    stored = records_stored(current) and case.anonymised_at is None
    for force in forces:
        identified = stored and in_force(current, ConsentScope.SHARE_WITH_POLICE, force)
        anonymous = stored and in_force(current, ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE, force)
        level = (
            SharingLevel.IDENTIFIED if identified else SharingLevel.ANONYMOUS if anonymous else None
        )
        contact = identified and in_force(current, ConsentScope.POLICE_MAY_CONTACT_DIRECTLY, force)
        scopes = (
            [ConsentScope.SHARE_WITH_POLICE]
            if identified
            else [ConsentScope.SHARE_ANONYMOUS_INTELLIGENCE]
        )
        if contact:
            scopes.append(ConsentScope.POLICE_MAY_CONTACT_DIRECTLY)
        reviews = [
            current[(scope, force)].decision.review_date
            for scope in scopes
            if (scope, force) in current and current[(scope, force)].decision.review_date
        ]
        states[force] = ShareState(
            level, bool(contact), min(reviews) if reviews and level else None
        )
    return states


def _new_reference() -> str:
    while True:
        reference = "SHR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not SharedCase.objects.filter(share_reference=reference).exists():
            return reference


def sync_sharing(case, *, actor: object) -> list[str]:
    """Makes the shares and permission rows of ``case`` match its ledger and returns what it had
    to change; in a consistent database a second call returns nothing. The caller holds the case
    row lock."""
    changes: list[str] = []
    now = timezone.now()
    existing = {s.police_force_id: s for s in SharedCase.objects.filter(case=case)}
    for force_id, state in expected_shares(case).items():
        share = existing.get(force_id)
        if state.level is None:
            if share is not None and share.is_active:
                _end(share, now=now, actor=actor, changes=changes)
        else:
            share = _start_or_update(
                case, share, force_id, state, now=now, actor=actor, changes=changes
            )
        if share is not None:
            changes += _sync_permission_rows(share)
    return changes


def _end(share: SharedCase, *, now, actor, changes: list[str]) -> None:
    share.status, share.ended_at, share.contact_directly = ShareStatus.ENDED, now, False
    share.save()
    changes.append(f"ended share {share.share_reference}")
    audit_record(
        actor=actor,
        action="share.end",
        target=share,
        organisation=share.case.organisation,
        case_id=share.case_id,
        detail={"police_force": str(share.police_force_id)},
    )


def _start_or_update(
    case, share, force_id, state: ShareState, *, now, actor, changes
) -> SharedCase:
    if share is None:
        share = SharedCase(case=case, police_force_id=force_id, share_reference=_new_reference())
    starting = share.pk is None or not share.is_active
    before = (share.level, share.contact_directly, share.review_date)
    share.level, share.contact_directly, share.review_date = (
        state.level,
        state.contact_directly,
        state.review_date,
    )
    if starting:
        share.status, share.started_at, share.ended_at = ShareStatus.ACTIVE, now, None
    elif before == (share.level, share.contact_directly, share.review_date):
        return share
    share.save()
    action = "share.start" if starting else "share.change"
    changes.append(f"{'started' if starting else 'changed'} share {share.share_reference}")
    audit_record(
        actor=actor,
        action=action,
        target=share,
        organisation=case.organisation,
        case_id=case.pk,
        detail={
            "police_force": str(force_id),
            "level": state.level,
            "contact_directly": state.contact_directly,
        },
    )
    return share


def _sync_permission_rows(share: SharedCase) -> list[str]:
    """One row (the force's liaison group may view) while the share is active; none after."""
    rows = SharedCaseGroupObjectPermission.objects.filter(content_object=share)
    if not share.is_active:
        removed, _ = rows.delete()
        return [f"removed access left on ended share {share.share_reference}"] if removed else []
    group, permission = liaison_group(share.police_force), _view_permission()
    stray, _ = rows.exclude(group=group, permission=permission).delete()
    _, created = SharedCaseGroupObjectPermission.objects.get_or_create(
        group=group, permission=permission, content_object=share
    )
    changes = [f"removed stray access on {share.share_reference}"] if stray else []
    if created:
        changes.append(f"granted access on {share.share_reference}")
    return changes
