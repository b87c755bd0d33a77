"""Shortening a retention period: records are then anonymised sooner, and what is anonymised
cannot come back, so a shorter period is a proposal that a second supervisor must approve.
Lengthening one is an ordinary settings change."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from casework.approvals.choices import ApprovalKind
from casework.approvals.models import Approval
from casework.approvals.registry import register
from casework.approvals.services import approval_propose, pending_exists
from casework.audit.services import audit_record
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given

from ..models import Organisation, User
from ._validation import full_clean

RETENTION_FIELDS = {
    "retention_years": ("closed cases", "years"),
    "unconverted_retention_months": (
        "referrals and clients that never became a case",
        "months",
    ),
}


def shortened(organisation: Organisation, changes: dict[str, Any]) -> list[str]:
    """The retention fields among ``changes`` that would be shorter than they are now."""
    return [
        field
        for field in RETENTION_FIELDS
        if field in changes and changes[field] < getattr(organisation, field)
    ]


@transaction.atomic
def retention_shorten_propose(
    *,
    organisation: Organisation,
    by: User,
    reason: str,
    retention_years: int | Unset = UNSET,
    unconverted_retention_months: int | Unset = UNSET,
) -> Approval:
    """Proposes shorter retention periods; nothing changes until a second supervisor approves."""
    changes = given(
        retention_years=retention_years, unconverted_retention_months=unconverted_retention_months
    )
    locked = Organisation.objects.select_for_update(no_key=True).get(pk=organisation.pk)
    if not changes:
        raise ValidationError(
            {"retention_years": ["Give the shorter retention period(s) to propose."]}
        )
    errors: dict[str, list[str]] = {}
    for field, value in changes.items():
        model_field = Organisation._meta.get_field(field)
        try:
            if isinstance(model_field, models.Field):
                model_field.clean(value, locked)
        except ValidationError as error:
            errors[field] = error.messages
            continue
        if field not in shortened(locked, changes):
            now = getattr(locked, field)
            errors[field] = [f"Not shorter than now ({now}): change the setting directly."]
    if errors:
        raise ValidationError(errors)
    kind = ApprovalKind.RETENTION_SHORTENED
    if pending_exists(kind=kind, organisation=locked):
        raise Conflict(
            "A shorter retention period is already waiting for approval.", code="already_proposed"
        )
    lines = [
        f"Anonymise {what} after {value} {unit} instead of {getattr(locked, field)}."
        for field, value in changes.items()
        for what, unit in [RETENTION_FIELDS[field]]
    ]
    description = " ".join(
        [
            *lines,
            "Records already older than the new period are anonymised at the next retention run, "
            "and cannot be brought back.",
        ]
    )
    return approval_propose(
        kind=kind,
        organisation=locked,
        proposed_by=by,
        reason=reason,
        description=description,
        payload={
            field: {"from": getattr(locked, field), "to": value} for field, value in changes.items()
        },
    )


def enact_shorter_retention(approval: Approval, by: User) -> dict[str, Any]:
    """Applies the approved periods, if the settings still stand where the proposal found them."""
    locked = Organisation.objects.select_for_update(no_key=True).get(pk=approval.organisation_id)
    for field, change in approval.payload.items():
        if getattr(locked, field) != change["from"]:
            raise Conflict(
                "The retention settings changed since this was proposed: propose it again.",
                code="settings_changed",
            )
    for field, change in approval.payload.items():
        setattr(locked, field, change["to"])
    full_clean(locked)
    locked.save()
    audit_record(
        actor=by,
        action="organisation.settings",
        target=locked,
        changed_fields=list(approval.payload),
        detail={"approval": str(approval.pk)},
    )
    return {field: change["to"] for field, change in approval.payload.items()}


def refuse_shortening(shorter: list[str]) -> None:
    """An ordinary settings change may lengthen a retention period, never shorten one: refused
    when ``shorter`` (from ``shortened``) names any."""
    if shorter:
        raise Conflict(
            "A shorter retention period needs a second supervisor's approval: propose it "
            "(organisation-settings/retention-proposals/) with your reason.",
            code="needs_approval",
        )


register(ApprovalKind.RETENTION_SHORTENED, enact_shorter_retention)
