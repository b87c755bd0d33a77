"""Deriving what each police force may see from the ledger, and making the permission rows match.

Runs inside the transaction of every consent decision, so access and decision commit together."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from casework.accounts.principals import Actor
from casework.accounts.roles import liaison_group
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.disclosures.services import share_view_disclosed
from casework.webhooks import outbox

from .choices import POLICE_SCOPES, ConsentScope, ShareStatus, SharingLevel
from .ledger import (
    current_consent,
    current_overrides,
    in_force,
    override_over,
    records_stored,
    review_passed,
)
from .models import SharedCase, SharedCaseGroupObjectPermission

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ShareState:
    level: str | None  # None: nothing is shared with this force
    contact_directly: bool
    review_date: date | None
    override_ground: str = ""  # set while the share rests on an override, not on consent
    override_until: datetime | None = None


def _view_permission() -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(SharedCase), codename="view_sharedcase"
    )


def expected_shares(case) -> dict:
    """Force id → the share the ledger calls for now. An anonymised case shares nothing.

    An identified share rests on the client's consent, or, where they have not consented, on
    an approved override in force for that force: an override needs no other scope (it exists
    precisely because the client has not agreed), and ends on its own at its expiry."""
    current = current_consent(case)
    overrides = current_overrides(case) if case.anonymised_at is None else {}
    forces = {force for (scope, force) in current if scope in POLICE_SCOPES and force}
    forces |= set(overrides)
    states = {}
    stored = records_stored(current) and case.anonymised_at is None
    for force in forces:
        consented = stored and in_force(current, ConsentScope.SHARE_WITH_POLICE, force)
        override = overrides.get(force) if not consented else None
        identified = consented or override is not None
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
        # Review dates of the grants the share rests on (none under an override).
        reviews = [
            review
            for scope in scopes
            if in_force(current, scope, force)
            and (review := current[(scope, force)].decision.review_date) is not None
        ]
        states[force] = ShareState(
            level,
            bool(contact),
            min(reviews) if reviews and level else None,
            override.override_ground if override is not None else "",
            override.override_expires_at if override is not None else None,
        )
    return states


def _new_reference() -> str:
    while True:
        reference = "SHR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not SharedCase.objects.filter(share_reference=reference).exists():
            return reference


def sync_sharing(case: Case, *, actor: Actor) -> list[str]:
    """Makes the shares and permission rows of ``case`` match its ledger and returns what it had
    to change; in a consistent database a second call returns nothing. The caller holds the case
    row lock.

    A share lives from one start to its end. Withdrawal, a lapse (the review date passed, whether
    or not the nightly sweep has caught up) and a change of level (identified ↔ anonymous) end
    it, and so does the expiry of the override an identified share rests on; whatever comes next
    is a new share with a new reference and start, so an anonymous share cannot be linked to the
    share before it, and nothing said on an old share shows on the new one. Direct contact, the
    review date and what the share rests on (an override the client's consent replaces) change
    in place while the share lasts."""
    changes: list[str] = []
    now = timezone.now()
    active = {
        s.police_force_id: s
        for s in SharedCase.objects.filter(case=case, status=ShareStatus.ACTIVE)
    }
    expected = expected_shares(case)
    for force_id in active.keys() - expected.keys():
        expected[force_id] = ShareState(None, False, None)
    shown: list[SharedCase] = []
    for force_id, state in expected.items():
        share = active.get(force_id)
        if share is not None and not _lasts(share, state):
            _end(share, now=now, actor=actor, changes=changes)
            share = None
        if state.level is None:
            continue
        if share is None:
            share = _start(
                case, force_id, state.level, state, now=now, actor=actor, changes=changes
            )
            shown.append(share)
        elif _change(share, state, actor=actor, changes=changes):
            shown.append(share)
    changes += _sync_permission_rows(case)
    # What each started or changed share shows its force is kept as sent, under the decision it
    # rests on, before the transaction that makes it visible commits.
    for share in shown:
        share_view_disclosed(share=share, actor=actor)
    return changes


def _lasts(share: SharedCase, state: ShareState) -> bool:
    """Whether the active ``share`` carries on under ``state``."""
    return (
        state.level == share.level
        and not review_passed(share.review_date)
        and not override_over(share.override_until)
    )


def _end(share: SharedCase, *, now, actor, changes: list[str]) -> None:
    share.status, share.ended_at, share.contact_directly = ShareStatus.ENDED, now, False
    share.save()
    changes.append(f"ended share {share.share_reference}")
    outbox.share_ended(share)
    audit_record(
        actor=actor,
        action="share.end",
        target=share,
        organisation=share.case.organisation,
        case_id=share.case_id,
        detail={"police_force": str(share.police_force_id), **_override_detail(share)},
    )
    # Imported here: contact requests record their answers through this app's services.
    from casework.contact_requests.services import contact_requests_close_for_ended_share

    contact_requests_close_for_ended_share(share=share, actor=actor)


def _start(
    case: Case,
    force_id: uuid.UUID,
    level: str,
    state: ShareState,
    *,
    now: datetime,
    actor: Actor,
    changes: list[str],
) -> SharedCase:
    share = SharedCase.objects.create(
        case=case,
        police_force_id=force_id,
        share_reference=_new_reference(),
        level=level,
        contact_directly=state.contact_directly,
        review_date=state.review_date,
        override_ground=state.override_ground,
        override_until=state.override_until,
        status=ShareStatus.ACTIVE,
        started_at=now,
    )
    changes.append(f"started share {share.share_reference}")
    outbox.share_started(share)
    _audit(share, "share.start", actor)
    return share


def _change(share: SharedCase, state: ShareState, *, actor, changes: list[str]) -> bool:
    held = (share.contact_directly, share.review_date, share.override_ground, share.override_until)
    called_for = (
        state.contact_directly,
        state.review_date,
        state.override_ground,
        state.override_until,
    )
    if held == called_for:
        return False
    (
        share.contact_directly,
        share.review_date,
        share.override_ground,
        share.override_until,
    ) = called_for
    share.save()
    changes.append(f"changed share {share.share_reference}")
    _audit(share, "share.change", actor)
    return True


def _audit(share: SharedCase, action: str, actor) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=share,
        organisation=share.case.organisation,
        case_id=share.case_id,
        detail={
            "police_force": str(share.police_force_id),
            "level": share.level,
            "contact_directly": share.contact_directly,
            **_override_detail(share),
        },
    )


def _override_detail(share: SharedCase) -> dict[str, str]:
    """Named in a share's audit events only while it rests on an override."""
    return {"override_ground": share.override_ground} if share.override_ground else {}


def _sync_permission_rows(case) -> list[str]:
    """One row (the force's liaison group may view) on each active share; none on ended ones."""
    changes: list[str] = []
    rows = SharedCaseGroupObjectPermission.objects.filter(content_object__case=case)
    left = rows.exclude(content_object__status=ShareStatus.ACTIVE)
    for reference in sorted(set(left.values_list("content_object__share_reference", flat=True))):
        changes.append(f"removed access left on ended share {reference}")
    if changes:
        left.delete()
    for share in SharedCase.objects.filter(case=case, status=ShareStatus.ACTIVE).select_related(
        "police_force"
    ):
        changes += _sync_share_permission_rows(share)
    return changes


def _sync_share_permission_rows(share: SharedCase) -> list[str]:
    rows = SharedCaseGroupObjectPermission.objects.filter(content_object=share)
    group, permission = liaison_group(share.police_force), _view_permission()
    stray, _ = rows.exclude(group=group, permission=permission).delete()
    _, created = SharedCaseGroupObjectPermission.objects.get_or_create(
        group=group, permission=permission, content_object=share
    )
    changes = [f"removed stray access on {share.share_reference}"] if stray else []
    if created:
        changes.append(f"granted access on {share.share_reference}")
    return changes
