"""Consent overrides: in narrow safeguarding cases a case is shared with one police force without
the client's consent. A member of staff proposes it (force, ground, reason, how long); it is
written to the ledger, as a decision of its own kind, only when a second supervisor approves the
proposal (``casework.approvals``). It ends at its expiry, when a supervisor ends it, or when the
client consents (the share then carries on as an ordinary one). The client is told, by a task
for their caseworker, unless telling would increase the risk, which is recorded with its reason."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import is_charity_staff, is_supervisor
from casework.approvals.choices import ApprovalKind
from casework.approvals.models import Approval
from casework.approvals.registry import register
from casework.approvals.services import approval_propose, pending_exists
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.core.errors import Conflict, NotAllowed
from casework.reminders.assignees import reminder_assignee_of
from casework.reminders.choices import ReminderKind
from casework.reminders.models import Reminder

from .choices import (
    OVERRIDE_DEFAULT_DAYS,
    OVERRIDE_MAX_DAYS,
    ConsentScope,
    DecisionKind,
    OverrideGround,
)
from .derivation import sync_sharing
from .ledger import current_consent, current_overrides, in_force
from .models import ConsentDecision


def _check_still_fits(case: Case, force: Organisation) -> None:
    """What an override needs, when proposed and again when approved: a case still held, a
    client who has not consented to this share, and no override already in force for it."""
    if case.anonymised_at is not None:
        raise Conflict(
            "This case has been anonymised: nothing of it can be shared.", code="case_anonymised"
        )
    if in_force(current_consent(case), ConsentScope.SHARE_WITH_POLICE, force.pk):
        raise Conflict(
            "The client consents to sharing with this force: no override is needed.",
            code="client_consents",
        )
    if force.pk in current_overrides(case):
        raise Conflict("An override for this force is already in force.", code="override_in_force")


def _describe(case: Case, force: Organisation, ground: str, days: int, tell_client: bool) -> str:
    told = (
        "The client's caseworker is then asked to tell the client."
        if tell_client
        else "The client is not told: telling would increase the risk (the reason is recorded)."
    )
    return (
        f"Share case {case.reference} with {force.name} without the client's consent, on the "
        f'ground "{OverrideGround(ground).label}", for {days} days from approval. The force sees '
        f"the case's identified shared part, marked as an override on this ground. {told}"
    )


@transaction.atomic
def override_propose(
    *,
    case: Case,
    proposed_by: User,
    police_force: Organisation,
    ground: str,
    reason: str,
    days: int = OVERRIDE_DEFAULT_DAYS,
    tell_client: bool = True,
    client_not_told_reason: str = "",
) -> Approval:
    """Proposes an override; nothing is shared until a second supervisor approves it."""
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if not is_charity_staff(proposed_by) or proposed_by.organisation_id != locked.organisation_id:
        raise ValidationError({"proposed_by": ["Only the charity's own staff propose this."]})
    errors: dict[str, list[str]] = {}
    if not police_force.is_police:
        errors["police_force"] = ["This organisation is not a police force."]
    if ground not in OverrideGround.values:
        errors["ground"] = [f"Choose one of: {', '.join(OverrideGround.values)}."]
    if not 1 <= days <= OVERRIDE_MAX_DAYS:
        errors["days"] = [f"An override lasts from 1 to {OVERRIDE_MAX_DAYS} days."]
    if not reason.strip():
        errors["reason"] = ["Say why the client's consent must be overridden."]
    if not tell_client and not client_not_told_reason.strip():
        errors["client_not_told_reason"] = [
            "Say why telling the client would increase the risk, or let them be told."
        ]
    if tell_client and client_not_told_reason.strip():
        errors["client_not_told_reason"] = ["Only given when the client is not to be told."]
    if errors:
        raise ValidationError(errors)
    _check_still_fits(locked, police_force)
    kind = ApprovalKind.CONSENT_OVERRIDE
    if pending_exists(kind=kind, case=locked, police_force=str(police_force.pk)):
        raise Conflict(
            "An override for this force is already waiting for approval.", code="already_proposed"
        )
    return approval_propose(
        kind=kind,
        organisation=locked.organisation,
        proposed_by=proposed_by,
        reason=reason,
        description=_describe(locked, police_force, ground, days, tell_client),
        payload={
            "police_force": str(police_force.pk),
            "ground": ground,
            "days": days,
            "tell_client": tell_client,
        },
        case=locked,
        client_not_told_reason=client_not_told_reason if not tell_client else "",
    )


def enact_override(approval: Approval, by: User) -> dict[str, Any]:
    """Writes the override to the ledger and shares the case, in the approval's transaction."""
    if approval.case_id is None:
        raise Conflict("This proposal names no case.", code="no_case")
    case = Case.objects.select_for_update(no_key=True).get(pk=approval.case_id)
    force = Organisation.objects.get(pk=approval.payload["police_force"])
    _check_still_fits(case, force)
    now = timezone.now()
    expires_at = now + timedelta(days=int(approval.payload["days"]))
    decision = ConsentDecision.objects.create(
        case=case,
        scope=ConsentScope.SHARE_WITH_POLICE,
        granted=True,
        police_force=force,
        kind=DecisionKind.OVERRIDE,
        method="",
        recorded_by=approval.proposed_by,
        recorded_at=now,
        override_ground=approval.payload["ground"],
        override_expires_at=expires_at,
        approval=approval,
    )
    audit_record(
        actor=by,
        action="consent.override.start",
        target=decision,
        organisation=case.organisation,
        case_id=case.pk,
        detail={
            "police_force": str(force.pk),
            "ground": decision.override_ground,
            "expires_at": expires_at.isoformat(),
            "approval": str(approval.pk),
            "proposed_by": str(approval.proposed_by_id),
        },
    )
    sync_sharing(case, actor=by)
    result: dict[str, Any] = {"consent_decision": str(decision.public_id)}
    if approval.payload.get("tell_client", True):
        result["reminder"] = str(_task_to_tell_the_client(case, decision, approval).pk)
    else:
        audit_record(
            actor=by,
            action="consent.override.client_not_told",
            target=decision,
            organisation=case.organisation,
            case_id=case.pk,
            detail={"approval": str(approval.pk)},
        )
    return result


def _task_to_tell_the_client(case: Case, decision: ConsentDecision, approval: Approval) -> Reminder:
    assignee = reminder_assignee_of(case) or approval.proposed_by
    reminder, _ = Reminder.objects.get_or_create(
        dedup_key=f"override-tell:{decision.public_id}",
        defaults={
            "organisation_id": case.organisation_id,
            "kind": ReminderKind.TELL_CLIENT_OF_OVERRIDE,
            "case": case,
            "assignee": assignee,
            "due_at": timezone.now(),
            "detail": {
                "consent_decision": str(decision.public_id),
                "police_force": str(decision.police_force_id),
                "ground": decision.override_ground,
            },
        },
    )
    return reminder


@transaction.atomic
def override_end(
    *, case: Case, by: User, police_force: Organisation, reason: str
) -> ConsentDecision:
    """A supervisor ends an override before its expiry; the force's access goes with it."""
    if not is_supervisor(by) or by.organisation_id != case.organisation_id:
        raise NotAllowed(
            "Only a supervisor of the charity ends an override.", code="not_supervisor"
        )
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the override ends."]})
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    override = current_overrides(locked).get(police_force.pk)
    if override is None:
        raise Conflict("No override is in force for this force.", code="no_override")
    ended = ConsentDecision.objects.create(
        case=locked,
        scope=ConsentScope.SHARE_WITH_POLICE,
        granted=False,
        police_force=police_force,
        kind=DecisionKind.OVERRIDE_END,
        method="",
        recorded_by=by,
        recorded_at=timezone.now(),
        note=reason.strip(),
        caused_by=override,
    )
    audit_record(
        actor=by,
        action="consent.override.end",
        target=ended,
        organisation=locked.organisation,
        case_id=locked.pk,
        detail={
            "police_force": str(police_force.pk),
            "override": str(override.public_id),
            "because": "ended_by_supervisor",
        },
    )
    sync_sharing(locked, actor=by)
    return ended


register(ApprovalKind.CONSENT_OVERRIDE, enact_override)
