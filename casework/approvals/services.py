"""Proposing an action that needs a second supervisor, and approving, rejecting, withdrawing and
expiring proposals. Every step is audited in its own transaction with the change it records.

Two supervisors approving at once: each locks the proposal's row first, so the second finds it
already decided and the action is done exactly once."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import is_charity_staff, is_supervisor
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.core.errors import Conflict, NotAllowed

from .choices import ApprovalStatus
from .models import Approval
from .registry import handler_for

SYSTEM = "approvals"
DECIDED = ["status", "decided_by", "decided_at", "decision_reason", "result"]


def expiry_from(now: datetime) -> datetime:
    return now + timedelta(hours=settings.APPROVAL_EXPIRY_HOURS)


def _audit(approval: Approval, actor: User | str, action: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=approval,
        organisation=approval.organisation,
        case_id=approval.case_id,
        detail={"kind": approval.kind, **detail},
    )


@transaction.atomic
def approval_propose(
    *,
    kind: str,
    organisation: Organisation,
    proposed_by: User,
    reason: str,
    description: str,
    payload: dict[str, Any],
    case: Case | None = None,
    client_not_told_reason: str = "",
) -> Approval:
    """Records a proposal; nothing it describes happens until a second supervisor approves it.
    Called by the area that owns the action, inside its own transaction, once it has checked
    that the action fits the records now."""
    handler_for(kind)  # an unknown kind is a programming error, refused before anything is kept
    if not is_charity_staff(proposed_by) or proposed_by.organisation_id != organisation.pk:
        raise ValidationError({"proposed_by": ["Only the organisation's own staff propose."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why this must be done."]})
    now = timezone.now()
    approval = Approval(
        organisation=organisation,
        kind=kind,
        case=case,
        description=description,
        payload=payload,
        reason=reason.strip(),
        client_not_told_reason=client_not_told_reason.strip(),
        proposed_by=proposed_by,
        proposed_at=now,
        expires_at=expiry_from(now),
    )
    approval.full_clean()
    approval.save()
    _audit(approval, proposed_by, "approval.propose", expires_at=approval.expires_at.isoformat())
    return approval


def _lock_pending(approval: Approval) -> Approval:
    locked = Approval.objects.select_for_update(no_key=True).get(pk=approval.pk)
    if locked.status != ApprovalStatus.PENDING:
        raise Conflict(
            f"This proposal is no longer waiting: it was {locked.status}.", code="not_pending"
        )
    if locked.expires_at <= timezone.now():
        raise Conflict(
            "This proposal has expired: propose it again if it is still needed.", code="expired"
        )
    return locked


def _check_decider(approval: Approval, by: User) -> None:
    if not is_supervisor(by) or by.organisation_id != approval.organisation_id:
        raise NotAllowed("Only a supervisor of the organisation decides.", code="not_supervisor")
    if by.pk == approval.proposed_by_id:
        raise NotAllowed(
            "You proposed this: a different supervisor must decide it.", code="own_proposal"
        )


@transaction.atomic
def approval_approve(*, approval: Approval, by: User) -> Approval:
    """A second supervisor approves: the action is done now, in this transaction, by its
    registered handler, exactly as the proposal describes it."""
    locked = _lock_pending(approval)
    _check_decider(locked, by)
    result = handler_for(locked.kind).enact(locked, by)
    locked.status = ApprovalStatus.APPROVED
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.result = result
    # Only the decision's fields: enacting may have cleared the proposal's own text (an erasure).
    locked.save(update_fields=DECIDED)
    _audit(locked, by, "approval.approve", result=result)
    return locked


@transaction.atomic
def approval_reject(*, approval: Approval, by: User, reason: str) -> Approval:
    if not reason.strip():
        raise ValidationError({"reason": ["Say why you reject it."]})
    locked = _lock_pending(approval)
    _check_decider(locked, by)
    locked.status = ApprovalStatus.REJECTED
    locked.decided_by, locked.decided_at = by, timezone.now()
    locked.decision_reason = reason.strip()
    locked.save(update_fields=DECIDED)
    _audit(locked, by, "approval.reject")
    return locked


@transaction.atomic
def approval_withdraw(*, approval: Approval, by: User) -> Approval:
    """The person who proposed it takes it back while it waits."""
    locked = Approval.objects.select_for_update(no_key=True).get(pk=approval.pk)
    if locked.proposed_by_id != by.pk:
        raise NotAllowed("Only the person who proposed it may withdraw it.", code="not_proposer")
    if locked.status != ApprovalStatus.PENDING:
        raise Conflict(
            f"This proposal is no longer waiting: it was {locked.status}.", code="not_pending"
        )
    locked.status = ApprovalStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save(update_fields=DECIDED)
    _audit(locked, by, "approval.withdraw")
    return locked


def pending_exists(
    *,
    kind: str,
    case: Case | None = None,
    organisation: Organisation | None = None,
    **payload: str,
) -> bool:
    """Whether a proposal of ``kind`` (on ``case``, of ``organisation``, with these payload
    values) still waits."""
    pending = Approval.objects.filter(
        kind=kind, status=ApprovalStatus.PENDING, expires_at__gt=timezone.now()
    )
    if case is not None:
        pending = pending.filter(case=case)
    if organisation is not None:
        pending = pending.filter(organisation=organisation)
    return pending.filter(**{f"payload__{k}": v for k, v in payload.items()}).exists()


def expire_approvals(*, now: datetime | None = None) -> int:
    """Marks proposals nobody decided in time as expired, each in its own transaction (a row an
    approver holds at that moment is skipped, and decided by them or by the next run)."""
    now = now or timezone.now()
    expired = 0
    due = Approval.objects.filter(status=ApprovalStatus.PENDING, expires_at__lte=now)
    for pk in due.values_list("pk", flat=True).order_by("expires_at"):
        with transaction.atomic(durable=True):
            row = (
                Approval.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(pk=pk, status=ApprovalStatus.PENDING, expires_at__lte=now)
                .select_related("organisation")
                .first()
            )
            if row is None:
                continue
            row.status, row.decided_at = ApprovalStatus.EXPIRED, now
            row.save(update_fields=DECIDED)
            _audit(row, SYSTEM, "approval.expire")
            expired += 1
    return expired
