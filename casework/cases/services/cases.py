"""Opening, editing, assigning and moving cases along their lifecycles."""

import uuid
from collections.abc import Collection, Sequence
from datetime import date
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.choices import Role
from casework.accounts.models import Organisation, User
from casework.accounts.selectors import PersonRef, members_named
from casework.audit.services import audit_record
from casework.clients.models import Client
from casework.core.errors import Conflict, PreconditionFailed
from casework.core.unset import UNSET, Unset, given
from casework.court.rights import OPENED_BY_STAGE
from casework.court.services import open_entitlement, record_decision
from casework.reminders.messages import messages_cancel_planned
from casework.reminders.services import reminders_hand_over
from casework.webhooks import outbox

from .. import lifecycles
from ..choices import AssignmentRole, ClosureReason
from ..grants import grant_case_to_supervisors, grant_case_to_user, revoke_case_from_user
from ..lifecycles import SupportStatus
from ..models import Case, CaseAssignment, CaseTransition, Referral
from .references import next_reference

# Justice stages that are themselves decisions a victim must be told about.
DECISION_FOR_STAGE = {
    "charged": "charge",
    "no_further_action": "no_further_action",
    "verdict": "verdict",
    "sentenced": "sentence",
    "appeal": "appeal",
}

ASSIGNABLE_ROLES: dict[str, AssignmentRole] = {
    Role.CASEWORKER: AssignmentRole.CASEWORKER,
    Role.ISVA: AssignmentRole.ISVA,
    Role.SUPERVISOR: AssignmentRole.SUPERVISOR,
}


def check_incident_date(value: date | None, field: str = "incident_date") -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: ["The incident date cannot be in the future."]})


def check_area(organisation: Organisation, value: str) -> str:
    """A case's area is one of its organisation's areas (or none), as the list spells it: it is
    what police are shown of where, so free text never gets in."""
    if not value:
        return ""
    listed = {area.casefold(): area for area in organisation.areas}
    try:
        return listed[" ".join(value.split()).casefold()]
    except KeyError:
        raise ValidationError(
            {"area": ["Choose one of your organisation's areas, or leave it empty."]}
        ) from None


class TransitionDecision(TypedDict, total=False):
    """A decision recorded with a justice transition."""

    kind: str
    decided_on: date
    client_told_on: date | None


def members_of(
    organisation_id: uuid.UUID, staff: Collection[PersonRef], *, field: str
) -> list[User]:
    """The people named, in the order named, each a member of the organisation."""
    people = members_named(organisation_id, staff)
    if people is None:
        raise ValidationError({field: ["Only staff of your organisation can be assigned."]})
    return people


def staff_of_case_charity(
    organisation_id: uuid.UUID, staff: Collection[PersonRef], *, field: str = "assigned_to"
) -> list[User]:
    """The people named, each checked to be active staff of the case's charity who can be
    assigned."""
    checked = []
    for user in members_of(organisation_id, staff, field=field):
        if user.role not in ASSIGNABLE_ROLES:
            raise ValidationError({field: ["Only staff of the case's charity can be assigned."]})
        if not user.is_active:
            raise ValidationError({field: [f"{user.username} is not active."]})
        checked.append(user)
    return checked


def _assign(case: Case, user: User, by: User | None) -> CaseAssignment:
    role = ASSIGNABLE_ROLES[str(user.role)]
    assignment, created = CaseAssignment.objects.get_or_create(
        case=case, user=user, defaults={"role": role, "assigned_by": by}
    )
    if created:
        grant_case_to_user(case, user)
        outbox.case_assigned(case, user)
    return assignment


def open_case(
    *,
    client: Client,
    opened_by: User,
    assigned_to: Collection[PersonRef] = (),
    referral: Referral | None = None,
    offence_types: Sequence[str] | None = None,
    incident_date: date | None = None,
    incident_area: str = "",
    area: str = "",
    risk_level: str | None = None,
) -> Case:
    """Opens a case for a client (inside the caller's transaction). The client is the opener's
    charity's; the staff named are its active staff. The person opening it is assigned unless
    they are a supervisor, who sees every case anyway."""
    if client.organisation_id != opened_by.organisation_id:
        raise ValidationError({"client": ["This client belongs to another organisation."]})
    # Who is named is checked first: an id from elsewhere answers before anything else does.
    named = members_of(client.organisation_id, assigned_to, field="assigned_to")
    check_incident_date(incident_date)
    area = check_area(client.organisation, area)
    assignees = staff_of_case_charity(client.organisation_id, named)
    if opened_by.role in (Role.CASEWORKER, Role.ISVA) and opened_by not in assignees:
        assignees.append(opened_by)
    case = Case(
        organisation=client.organisation,
        client=client,
        referral=referral,
        reference=next_reference(client.organisation),
        offence_types=sorted(set(offence_types or [])),
        incident_date=incident_date,
        incident_area=incident_area,
        area=area,
        opened_at=timezone.now(),
        created_by=opened_by,
    )
    if risk_level:
        case.risk_level = risk_level
    case.full_clean(exclude=["reference"])
    case.save()
    grant_case_to_supervisors(case)
    for user in assignees:
        _assign(case, user, opened_by)
    audit_record(
        actor=opened_by,
        action="case.create",
        target=case,
        case_id=case.pk,
        changed_fields=[
            "client",
            "offence_types",
            "incident_date",
            "area",
            "risk_level",
            "assigned_staff",
        ],
    )
    return case


@transaction.atomic
def case_create(
    *,
    client: Client,
    opened_by: User,
    assigned_to: Collection[PersonRef] = (),
    offence_types: Sequence[str] | None = None,
    incident_date: date | None = None,
    incident_area: str = "",
    area: str = "",
    risk_level: str | None = None,
) -> Case:
    """A case opened directly for a client (not from a referral)."""
    return open_case(
        client=client,
        opened_by=opened_by,
        assigned_to=assigned_to,
        offence_types=offence_types,
        incident_date=incident_date,
        incident_area=incident_area,
        area=area,
        risk_level=risk_level,
    )


def _lock(case: Case, expected_version: int | None = None) -> Case:
    # FOR UPDATE, not FOR NO KEY UPDATE as elsewhere: a closure must wait for a message being
    # handed over to the client, which holds the case FOR KEY SHARE
    # (``casework.reminders.messages._why_not_now``).
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise PreconditionFailed(
            "The case changed since you read it; reload it and try again.",
            code="stale_version",
        )
    return locked


@transaction.atomic
def case_update(
    *,
    case: Case,
    updated_by: User,
    expected_version: int | None = None,
    offence_types: Sequence[str] | Unset = UNSET,
    incident_date: date | Unset | None = UNSET,
    incident_area: str | Unset = UNSET,
    area: str | Unset = UNSET,
    risk_level: str | Unset = UNSET,
) -> Case:
    """Edits the case's facts given, and only those. ``expected_version`` (from ``If-Match``)
    guards against silently overwriting someone else's edit."""
    locked = _lock(case, expected_version)
    if locked.is_closed:
        raise Conflict("A closed case cannot be edited; reopen it first.", code="case_closed")
    if not isinstance(incident_date, Unset):
        check_incident_date(incident_date)
    changes = given(
        offence_types=offence_types,
        incident_date=incident_date,
        incident_area=incident_area,
        area=check_area(locked.organisation, area) if isinstance(area, str) else area,
        risk_level=risk_level,
    )
    changed = [f for f, v in changes.items() if getattr(locked, f) != v]
    if isinstance(offence_types, Sequence) and not isinstance(offence_types, str):
        changes["offence_types"] = sorted(set(offence_types))
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changed:
        locked.version += 1
        locked.save()
        audit_record(
            actor=updated_by,
            action="case.update",
            target=locked,
            case_id=locked.pk,
            changed_fields=changed,
        )
    return locked


@transaction.atomic
def case_transition(
    *,
    case: Case,
    actor: User,
    lifecycle: str,
    to: str,
    reason: str,
    closure_reason: str = "",
    expected_version: int | None = None,
    decision: TransitionDecision | None = None,
) -> Case:
    """Moves one lifecycle along its transition table, or refuses (409) and changes nothing.

    A justice move that is itself a decision the victim must be told about (a charge, no further
    action, a verdict, a sentence, an appeal) records it, with its date and the date the client
    was told; the Victims' Code entitlement follows from it. Closing the case cancels the
    messages still planned to its client: support has ended, so they must not arrive."""
    locked = _lock(case, expected_version)
    field = "support_status" if lifecycle == "support" else "justice_stage"
    current = getattr(locked, field)
    if to not in lifecycles.STATES[lifecycle].values:
        raise ValidationError({"to": [f"{to!r} is not a {lifecycle} state."]})
    if not lifecycles.is_allowed(lifecycle, current, to):
        allowed = ", ".join(sorted(lifecycles.allowed(lifecycle, current))) or "none"
        raise Conflict(
            f"A case cannot move from {current} to {to} ({lifecycle}). From {current}: {allowed}.",
            code="illegal_transition",
        )
    if lifecycle == "justice" and locked.is_closed:
        raise Conflict("Reopen the case before changing its justice pathway.", code="case_closed")
    if to == SupportStatus.CLOSED:
        if closure_reason not in ClosureReason.values:
            raise ValidationError({"closure_reason": ["Say why the case is closing."]})
        locked.closed_at = timezone.now()
        locked.closure_reason = closure_reason
    elif closure_reason:
        raise ValidationError(
            {"closure_reason": ["Only a closing transition has a closure reason."]}
        )
    if lifecycle == "support" and current == SupportStatus.CLOSED:
        locked.closed_at = None
        locked.closure_reason = ""
    setattr(locked, field, to)
    locked.version += 1
    locked.save()
    implied = DECISION_FOR_STAGE.get(to) if lifecycle == "justice" else None
    if decision is not None and lifecycle != "justice":
        raise ValidationError({"decision": ["Only justice pathway moves record decisions."]})
    if implied and (decision is None or not decision.get("decided_on")):
        raise ValidationError(
            {"decision": [f"Moving to {to} is a decision: give decided_on (and client_told_on)."]}
        )
    if lifecycle == "support" and to == SupportStatus.CLOSED:
        messages_cancel_planned(case=locked, actor=actor, reason="case_closed")
    transition = CaseTransition.objects.create(
        case=locked,
        lifecycle=lifecycle,
        from_state=current,
        to_state=to,
        reason=reason,
        closure_reason=closure_reason,
        occurred_at=timezone.now(),
        actor=actor,
    )
    if decision is not None:
        kind = decision.get("kind") or implied
        if kind is None:
            raise ValidationError({"decision": ["Say which decision this was (kind)."]})
        if implied and kind != implied:
            raise ValidationError({"decision": [f"Moving to {to} is a {implied} decision."]})
        record_decision(
            case=locked,
            transition=transition,
            kind=kind,
            decided_on=decision["decided_on"],
            client_told_on=decision.get("client_told_on"),
            actor=actor,
        )
    if lifecycle == "justice":
        for right in OPENED_BY_STAGE.get(to, ()):
            open_entitlement(case=locked, right=right, triggered_on=timezone.localdate())
    audit_record(
        actor=actor,
        action="case.transition",
        target=locked,
        case_id=locked.pk,
        changed_fields=[field],
        detail={"lifecycle": lifecycle, "from": current, "to": to},
    )
    return locked


@transaction.atomic
def case_assign(*, case: Case, user: PersonRef, assigned_by: User) -> Case:
    """Assigns a member of the case's charity's staff; they are granted the case with it."""
    locked = _lock(case)
    (user,) = staff_of_case_charity(locked.organisation_id, [user], field="user")
    if CaseAssignment.objects.filter(case=locked, user=user).exists():
        raise Conflict(
            f"{user.username} is already assigned to this case.", code="already_assigned"
        )
    _assign(locked, user, assigned_by)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=assigned_by,
        action="case.assign",
        target=locked,
        case_id=locked.pk,
        changed_fields=["assigned_staff"],
        detail={"user": str(user.pk)},
    )
    return locked


@transaction.atomic
def case_unassign(*, case: Case, user: PersonRef, unassigned_by: User) -> Case:
    """The person loses the case's permissions in this same transaction, and with them the
    case's reminders: their open and snoozed ones go to the case's next person, or, with nobody
    left on the case, to a supervisor (``casework.reminders.services.reminders_hand_over``), so
    no reminder is left with someone who can no longer act on it."""
    locked = _lock(case)
    (user,) = members_of(locked.organisation_id, [user], field="user")
    deleted, _ = CaseAssignment.objects.filter(case=locked, user=user).delete()
    if not deleted:
        raise ValidationError({"user": ["This person is not assigned to the case."]})
    revoke_case_from_user(locked, user)
    handed = reminders_hand_over(case=locked, leaving=user, by=unassigned_by)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=unassigned_by,
        action="case.unassign",
        target=locked,
        case_id=locked.pk,
        changed_fields=["assigned_staff"],
        detail={"user": str(user.pk), "reminders": handed},
    )
    return locked
