"""Intake: receiving, accepting and declining referrals."""

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import Principal, integration
from casework.accounts.selectors import PersonRef
from casework.audit.services import audit_record
from casework.clients.models import Client
from casework.clients.normalise import normalise
from casework.clients.services import check_safe_times, client_create, contact_method_add
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given
from casework.webhooks import outbox

from ..choices import DeclineReason, ReferralStatus
from ..models import Case, Referral
from .cases import check_incident_date, members_of, open_case


@transaction.atomic
def referral_create(
    *,
    organisation: Organisation,
    actor: Principal,
    source: str,
    summary: str,
    received_at: datetime | None = None,
    incident_date: date | Unset | None = UNSET,
    offence_types: Sequence[str] | Unset = UNSET,
    urgency: str | Unset = UNSET,
    referrer_organisation: str | Unset = UNSET,
    referrer_name: str | Unset | None = UNSET,
    person_pseudonym: str | Unset | None = UNSET,
    contact_kind: str | Unset = UNSET,
    contact_value: str | Unset | None = UNSET,
    contact_safe_to_call: bool | Unset = UNSET,
    contact_safe_to_text: bool | Unset = UNSET,
    contact_safe_to_voicemail: bool | Unset = UNSET,
    contact_safe_times: Sequence[Mapping[str, Any]] | Unset = UNSET,
) -> Referral:
    """Records a referral and its audit event together; a caller's transaction (the idempotency
    record's) takes both in with it, so it is not durable. What is not given keeps the model's
    default."""
    fields = given(
        source=source,
        summary=summary,
        incident_date=incident_date,
        offence_types=offence_types,
        urgency=urgency,
        referrer_organisation=referrer_organisation,
        referrer_name=referrer_name,
        person_pseudonym=person_pseudonym,
        contact_kind=contact_kind,
        contact_value=contact_value,
        contact_safe_to_call=contact_safe_to_call,
        contact_safe_to_text=contact_safe_to_text,
        contact_safe_to_voicemail=contact_safe_to_voicemail,
        contact_safe_times=contact_safe_times,
    )
    if not organisation.is_charity:
        raise ValidationError({"organisation": ["Referrals go to a charity."]})
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise ValidationError({"received_at": ["A referral cannot be received in the future."]})
    if not isinstance(incident_date, Unset):
        check_incident_date(incident_date)
    if contact_value and not contact_kind:
        raise ValidationError({"contact_kind": ["Say what kind of contact route this is."]})
    if (
        isinstance(contact_kind, str)
        and isinstance(contact_value, str)
        and contact_kind
        and contact_value
    ):
        try:
            fields["contact_value"] = normalise(contact_kind, contact_value)
        except ValidationError as error:
            raise ValidationError({"contact_value": error.messages}) from None
    fields["contact_safe_times"] = check_safe_times(fields.get("contact_safe_times") or [])
    referral = Referral(organisation=organisation, received_at=received_at, **fields)
    caller = integration(actor)
    if caller is not None:
        referral.created_by_api_key = caller.api_key
    elif isinstance(actor, User):
        referral.created_by = actor
    referral.offence_types = sorted(set(referral.offence_types))
    referral.full_clean()
    referral.save()
    audit_record(actor=actor, action="referral.create", target=referral, organisation=organisation)
    outbox.referral_received(referral)
    return referral


def _lock_new(referral: Referral) -> Referral:
    locked = Referral.objects.select_for_update(no_key=True).get(pk=referral.pk)
    if locked.status != ReferralStatus.NEW:
        raise Conflict(f"This referral was already {locked.status}.", code="referral_decided")
    return locked


@transaction.atomic
def referral_accept(
    *,
    referral: Referral,
    accepted_by: User,
    client: Client | None = None,
    new_client: Mapping[str, Any] | None = None,
    assigned_to: Collection[PersonRef] = (),
    risk_level: str | None = None,
    incident_area: str = "",
    area: str = "",
) -> Case:
    """Opens a case for a new or an existing client, all in one transaction. A new client gets the
    referral's contact route as their first contact method, with its safety flags. The staff
    named are checked to be the charity's first, before the referral's state."""
    named = members_of(referral.organisation_id, assigned_to, field="assigned_to")
    locked = _lock_new(referral)
    if (client is None) == (new_client is None):
        raise ValidationError(
            {"client": ["Give either an existing client or the details of a new one."]}
        )
    if client is not None and client.organisation_id != locked.organisation_id:
        raise ValidationError({"client": ["This client belongs to another organisation."]})
    if client is None:
        client = client_create(
            organisation=locked.organisation, created_by=accepted_by, **(new_client or {})
        )
        if locked.contact_kind and locked.contact_value:
            contact_method_add(
                client=client,
                created_by=accepted_by,
                kind=locked.contact_kind,
                value=locked.contact_value,
                safe_to_call=locked.contact_safe_to_call,
                safe_to_text=locked.contact_safe_to_text,
                safe_to_voicemail=locked.contact_safe_to_voicemail,
                safe_times=locked.contact_safe_times,
                preferred=True,
            )
    case = open_case(
        client=client,
        opened_by=accepted_by,
        assigned_to=named,
        referral=locked,
        offence_types=locked.offence_types,
        incident_date=locked.incident_date,
        incident_area=incident_area,
        area=area,
        risk_level=risk_level,
    )
    locked.status = ReferralStatus.ACCEPTED
    locked.decided_at = timezone.now()
    locked.decided_by = accepted_by
    locked.save()
    audit_record(
        actor=accepted_by,
        action="referral.accept",
        target=locked,
        case_id=case.pk,
        changed_fields=["status"],
    )
    return case


@transaction.atomic
def referral_decline(
    *, referral: Referral, declined_by: User, reason: str, note: str = ""
) -> Referral:
    locked = _lock_new(referral)
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": ["Choose a reason for declining."]})
    locked.status = ReferralStatus.DECLINED
    locked.decline_reason = reason
    locked.decline_note = note or None
    locked.decided_at = timezone.now()
    locked.decided_by = declined_by
    locked.save()
    audit_record(
        actor=declined_by,
        action="referral.decline",
        target=locked,
        changed_fields=["status", "decline_reason", "decline_note"],
    )
    return locked
