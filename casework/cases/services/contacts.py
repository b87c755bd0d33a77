"""The contact log: every attempt to reach a client, and what it says about the route used."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.clients.models import ContactMethod
from casework.clients.services import contact_method_record_outcome
from casework.core.errors import Conflict

from ..choices import ContactOutcome, NoteVisibility
from ..models import Case, ContactLogEntry, Note

SUCCESS = {ContactOutcome.REACHED, ContactOutcome.MET_IN_PERSON}
FAILURE = {
    ContactOutcome.NUMBER_UNAVAILABLE,
    ContactOutcome.WRONG_PERSON,
    ContactOutcome.EMAIL_BOUNCED,
}


def route_result(outcome: str) -> bool | None:
    if outcome in SUCCESS:
        return True
    if outcome in FAILURE:
        return False
    return None


@transaction.atomic
def contact_log(
    *,
    case: Case,
    recorded_by: User,
    occurred_at: datetime,
    channel: str,
    direction: str,
    outcome: str,
    contact_method: ContactMethod | None = None,
    duration_minutes: int | None = None,
    note: str | None = None,
    corrects: ContactLogEntry | None = None,
) -> ContactLogEntry:
    """Records a contact; a reached or met outcome verifies the method used, a bounced or dead
    number marks it failing (and dead after repeats). A correction points at the entry it corrects
    and leaves the method's state to the original entry."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": ["A contact cannot be in the future."]})
    if contact_method is not None and contact_method.client_id != locked.client_id:
        raise ValidationError({"contact_method": ["This contact method is not this client's."]})
    if corrects is not None and corrects.case_id != locked.pk:
        raise ValidationError({"corrects": ["That entry belongs to another case."]})
    entry = ContactLogEntry(
        case=locked,
        contact_method=contact_method,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        outcome=outcome,
        duration_minutes=duration_minutes,
        note=note or None,
        corrects=corrects,
        recorded_at=now,
        recorded_by=recorded_by,
    )
    entry.full_clean()
    entry.save()
    if contact_method is not None and corrects is None:
        contact_method_record_outcome(
            method=contact_method, success=route_result(outcome), at=occurred_at
        )
    audit_record(
        actor=recorded_by,
        action="contact.correct" if corrects else "contact.create",
        target=entry,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["outcome", "channel", "direction", "note"],
    )
    return entry


@transaction.atomic
def contact_edit(*, entry: ContactLogEntry, edited_by: User, **changes) -> ContactLogEntry:
    """Within 24 hours of recording, the note and duration can still be put right; after that the
    database refuses, and a correction entry is the way."""
    locked = ContactLogEntry.objects.select_for_update().select_related("case").get(pk=entry.pk)
    if timezone.now() - locked.recorded_at > timedelta(hours=ContactLogEntry.EDIT_WINDOW_HOURS):
        raise Conflict(
            "Contact log entries can be edited for 24 hours only; record a correction instead.",
            code="edit_window_closed",
        )
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit_record(
        actor=edited_by,
        action="contact.update",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=changes,
    )
    return locked


@transaction.atomic
def note_add(*, case: Case, author: User, body: str, visibility: str) -> Note:
    """An internal note, or one shared with police (which the consent rules decide)."""
    if visibility == NoteVisibility.SHARED:
        from casework.sharing.services import shared_note_add

        return shared_note_add(case=case, author=author, body=body)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    note = Note(
        case=locked, body=body, visibility=visibility, created_at=timezone.now(), author=author
    )
    note.full_clean()
    note.save()
    audit_record(
        actor=author,
        action="note.create",
        target=note,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["body", "visibility"],
    )
    return note
