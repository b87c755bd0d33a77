"""The contact log: every attempt to reach a client, and what it says about the route used."""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.services import audit_record
from casework.clients.models import ContactMethod
from casework.clients.services import contact_method_record_outcome
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given
from casework.sharing.services import shared_note_add

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


def _clients_method(case: Case, ref: ContactMethod | uuid.UUID | None) -> ContactMethod | None:
    """The contact method named, checked to be one of the case's client's."""
    if ref is None:
        return None
    if isinstance(ref, ContactMethod):
        method: ContactMethod | None = ref if ref.client_id == case.client_id else None
    else:
        method = ContactMethod.objects.filter(pk=ref, client_id=case.client_id).first()
    if method is None:
        raise ValidationError({"contact_method": ["This contact method is not this client's."]})
    return method


def _entry_on(case: Case, ref: ContactLogEntry | uuid.UUID | None) -> ContactLogEntry | None:
    """The entry named, checked to be on this case."""
    if ref is None:
        return None
    if isinstance(ref, ContactLogEntry):
        entry: ContactLogEntry | None = ref if ref.case_id == case.pk else None
    else:
        entry = ContactLogEntry.objects.filter(pk=ref, case_id=case.pk).first()
    if entry is None:
        raise ValidationError({"corrects": ["No such entry on this case."]})
    return entry


@transaction.atomic
def contact_log(
    *,
    case: Case,
    recorded_by: User,
    occurred_at: datetime,
    channel: str,
    direction: str,
    outcome: str,
    contact_method: ContactMethod | uuid.UUID | None = None,
    duration_minutes: int | None = None,
    note: str | None = None,
    corrects: ContactLogEntry | uuid.UUID | None = None,
) -> ContactLogEntry:
    """Records a contact; a reached or met outcome verifies the method used, a bounced or dead
    number marks it failing (and dead after repeats). A correction points at the entry it corrects
    and leaves the method's state to the original entry.

    The method (by id, or as a record) must be the case's client's, and the corrected entry this
    case's: an id from elsewhere gets the same answer as one that does not exist."""
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    method = _clients_method(locked, contact_method)
    corrected = _entry_on(locked, corrects)
    now = timezone.now()
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": ["A contact cannot be in the future."]})
    entry = ContactLogEntry(
        case=locked,
        contact_method=method,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        outcome=outcome,
        duration_minutes=duration_minutes,
        note=note or None,
        corrects=corrected,
        recorded_at=now,
        recorded_by=recorded_by,
    )
    entry.full_clean()
    entry.save()
    last = locked.last_reached_at
    if outcome in SUCCESS and (last is None or occurred_at > last):
        # Under the case's lock: no other contact can move it at the same time.
        Case.objects.filter(pk=locked.pk).update(last_reached_at=occurred_at)
    if method is not None and corrected is None:
        contact_method_record_outcome(method=method, success=route_result(outcome), at=occurred_at)
    audit_record(
        actor=recorded_by,
        action="contact.correct" if corrected else "contact.create",
        target=entry,
        organisation=locked.organisation,
        case_id=locked.pk,
        changed_fields=["outcome", "channel", "direction", "note"],
    )
    return entry


def last_reached_refresh(cases: "QuerySet[Case]") -> int:
    """Sets each case's ``last_reached_at`` again from its contact log, in one statement: for
    contact logs written without this service (generated load data), or to repair."""
    latest = (
        ContactLogEntry.objects.filter(case=OuterRef("pk"), outcome__in=SUCCESS)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return cases.update(last_reached_at=Subquery(latest))


@transaction.atomic
def contact_edit(
    *,
    entry: ContactLogEntry,
    edited_by: User,
    duration_minutes: int | Unset | None = UNSET,
    note: str | Unset | None = UNSET,
) -> ContactLogEntry:
    """Within 24 hours of recording, the note and duration can still be put right; after that the
    database refuses, and a correction entry is the way."""
    changes = given(duration_minutes=duration_minutes, note=note)
    locked = (
        ContactLogEntry.objects.select_for_update(no_key=True)
        .select_related("case")
        .get(pk=entry.pk)
    )
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
        return shared_note_add(case=case, author=author, body=body)
    locked = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
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
