"""Every change to an attachment: upload (checked, then sealed and stored), describe, retire,
download (audited), share with a force and withdraw that, erase with the case, and reconcile the
storage with the records.

A file is written to storage only once every check has passed and its record is saved with its
audit event, as the last step of the transaction; if anything fails after the write, the file is
removed before the error goes on. A transaction rolled back further out leaves a file with no
record, which the reconciling task removes (``attachments_reconcile``)."""

import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.principals import Actor, Principal, is_charity_staff
from casework.audit.reads import record_police_read
from casework.audit.services import audit_record
from casework.cases.models import Case, ContactLogEntry, Note
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given
from casework.court.models import CourtEvent
from casework.crypto import blind_index
from casework.crypto.files import new_data_key
from casework.disclosures.choices import DisclosureKind
from casework.disclosures.services import record_disclosure, share_basis
from casework.sharing.choices import SharingLevel
from casework.sharing.ledger import shares_in_force
from casework.sharing.models import SharedCase

from . import storage
from .inspection import Refused, inspect
from .models import Attachment, AttachmentShare

logger = logging.getLogger("casework.attachments")
SYSTEM_RECONCILE = "attachment-reconcile"


def size_limit(case: Case) -> int:
    """The organisation's limit, never above the service's ceiling."""
    own = case.organisation.attachment_max_bytes
    return int(min(own, settings.ATTACHMENTS_MAX_UPLOAD_BYTES))


def content_hash(data: bytes) -> str:
    """A keyed hash of the file as kept: it tells a damaged file from a sound one, and says
    nothing to anyone without the key (a plain SHA-256 would confirm a guessed file)."""
    return blind_index("attachment", hashlib.sha256(data).hexdigest())


def _linked(case: Case, model: Any, pk: uuid.UUID | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(case_id=case.pk, pk=pk).first()
    if found is None:
        raise ValidationError({field: ["No such record on this case."]})
    return found


def _refusal_recorded(case: Case, actor: User, refused: Refused) -> None:
    detail = {"reason": refused.code}
    if refused.code == "virus_found":
        detail["signature"] = refused.detail
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="attachment.refuse",
            organisation=case.organisation,
            case_id=case.pk,
            detail=detail,
        )
    if refused.code in ("virus_found", "scanner_unavailable"):
        logger.warning("attachment refused: %s %s", refused.code, refused.detail)


def attachment_upload(
    *,
    case: Case,
    uploaded_by: User,
    data: bytes,
    name: str,
    declared_type: str,
    kind: str,
    description: str = "",
    contact_log_entry: uuid.UUID | None = None,
    note: uuid.UUID | None = None,
    court_event: uuid.UUID | None = None,
) -> Attachment:
    """Checks the file (``inspection.inspect``) and keeps it sealed, or refuses it with the
    reason and keeps nothing (the refusal is audited without the file)."""
    try:
        inspected = inspect(data, name=name, declared_type=declared_type, limit=size_limit(case))
    except Refused as refused:
        _refusal_recorded(case, uploaded_by, refused)
        raise
    written: list[str] = []
    try:
        return _keep(
            case=case,
            uploaded_by=uploaded_by,
            data=inspected.data,
            media_type=inspected.media_type,
            family=inspected.family,
            extension=inspected.extension,
            name=name,
            kind=kind,
            description=description,
            links=(contact_log_entry, note, court_event),
            written=written,
        )
    except BaseException:
        for stored in written:
            storage.remove(stored)
        raise


@transaction.atomic
def _keep(
    *,
    case: Case,
    uploaded_by: User,
    data: bytes,
    media_type: str,
    family: str,
    extension: str,
    name: str,
    kind: str,
    description: str,
    links: tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None],
    written: list[str],
) -> Attachment:
    locked = (
        Case.objects.select_for_update(no_key=True).select_related("organisation").get(pk=case.pk)
    )
    if locked.anonymised_at is not None:
        raise Conflict("This case has been anonymised.", code="case_anonymised")
    entry_id, note_id, event_id = links
    attachment = Attachment(
        case=locked,
        kind=kind,
        description=description,
        original_name=name[:255],
        family=family,
        media_type=media_type,
        extension=extension,
        size=len(data),
        content_hash=content_hash(data),
        storage_name=storage.new_storage_name(),
        data_key=new_data_key(),
        contact_log_entry=_linked(locked, ContactLogEntry, entry_id, "contact_log_entry"),
        note=_linked(locked, Note, note_id, "note"),
        court_event=_linked(locked, CourtEvent, event_id, "court_event"),
        uploaded_by=uploaded_by,
        uploaded_at=timezone.now(),
    )
    attachment.full_clean()
    attachment.save()
    audit_record(
        actor=uploaded_by,
        action="attachment.upload",
        target=attachment,
        organisation=locked.organisation,
        case_id=locked.pk,
        detail={"kind": kind, "media_type": media_type, "size": len(data)},
    )
    # Last: the file is written only once its record and audit event are. Its name is noted
    # first, so a write that fails halfway is cleaned up too.
    written.append(attachment.storage_name)
    stored = storage.write_sealed(
        attachment.storage_name, data, data_key=attachment.data_key, binding=str(attachment.pk)
    )
    if stored != attachment.storage_name:
        written.append(stored)
        raise RuntimeError("The attachment storage renamed a new file.")
    return attachment


def _lock(attachment: Attachment) -> Attachment:
    Case.objects.select_for_update(no_key=True).get(pk=attachment.case_id)
    locked: Attachment = (
        Attachment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case__organisation")
        .get(pk=attachment.pk)
    )
    if locked.is_retired:
        raise Conflict("This attachment has been retired.", code="retired")
    return locked


@transaction.atomic
def attachment_describe(
    *,
    attachment: Attachment,
    edited_by: User,
    kind: str | Unset = UNSET,
    description: str | Unset = UNSET,
    contact_log_entry: uuid.UUID | Unset | None = UNSET,
    note: uuid.UUID | Unset | None = UNSET,
    court_event: uuid.UUID | Unset | None = UNSET,
) -> Attachment:
    """What the file is and what it belongs to; the file itself never changes."""
    locked = _lock(attachment)
    changes = given(
        kind=kind,
        description=description,
        contact_log_entry=contact_log_entry,
        note=note,
        court_event=court_event,
    )
    models_of = {"contact_log_entry": ContactLogEntry, "note": Note, "court_event": CourtEvent}
    for field, value in changes.items():
        if field in models_of:
            value = _linked(locked.case, models_of[field], value, field)  # type: ignore[arg-type]
        setattr(locked, field, value)
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit_record(
        actor=edited_by,
        action="attachment.describe",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=changes,
    )
    return locked


@transaction.atomic
def attachment_retire(*, attachment: Attachment, retired_by: User) -> Attachment:
    """Kept (for the record, the export and erasure), but no longer listed, served or shared:
    every current share of it ends too."""
    locked = _lock(attachment)
    now = timezone.now()
    locked.retired_at = now
    locked.retired_by = retired_by
    locked.save(update_fields=["retired_at", "retired_by"])
    ended = AttachmentShare.objects.filter(attachment=locked, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=retired_by
    )
    audit_record(
        actor=retired_by,
        action="attachment.retire",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        changed_fields=["retired_at"],
        detail={"shares_ended": ended},
    )
    return locked


def plaintext(attachment: Attachment) -> Iterator[bytes]:
    """The file's content, decrypted as it is read from storage."""
    return storage.read_plain(
        attachment.storage_name, data_key=attachment.data_key, binding=str(attachment.pk)
    )


@transaction.atomic
def attachment_download(*, attachment: Attachment, actor: User) -> Iterator[bytes]:
    """A download by the case's staff: audited before the first byte goes."""
    if attachment.is_retired:
        raise Conflict("This attachment has been retired.", code="retired")
    audit_record(
        actor=actor,
        action="attachment.download",
        target=attachment,
        organisation=attachment.case.organisation,
        case_id=attachment.case_id,
        detail={"size": attachment.size},
    )
    return plaintext(attachment)


@transaction.atomic
def attachment_download_by_force(
    *, attachment: Attachment, share: SharedCase, actor: Principal
) -> Iterator[bytes]:
    """A download by the force the attachment was shared with, through its share: audited in
    the charity's trail as every police read is."""
    record_police_read(
        actor=actor,
        action="shared_case.attachment.download",
        shares=[share],
        records=[attachment],
    )
    return plaintext(attachment)


def _share_for(case: Case, police_force_id: uuid.UUID) -> SharedCase:
    share: SharedCase | None = (
        shares_in_force(SharedCase.objects.filter(case_id=case.pk, police_force_id=police_force_id))
        .select_for_update(no_key=True)
        .select_related("police_force", "case__organisation")
        .first()
    )
    if share is None:
        raise ValidationError({"police_force": ["This case is not shared with that force now."]})
    if share.level != SharingLevel.IDENTIFIED:
        raise Conflict(
            "An anonymous share never carries attachments: the client's consent to identified "
            "sharing with this force is needed first.",
            code="anonymous_share",
        )
    return share


def disclosed_package(attachment: Attachment, share: SharedCase) -> dict[str, Any]:
    """What the force is given of the attachment, as the disclosure record keeps it: the file
    is identified by its keyed hash, so the record names exactly the bytes that left."""
    return {
        "attachment": str(attachment.pk),
        "share_reference": share.share_reference,
        "kind": attachment.kind,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "name": attachment.served_name,
        "content_hash": attachment.content_hash,
    }


@transaction.atomic
def attachment_share(
    *, attachment: Attachment, police_force: uuid.UUID, shared_by: User
) -> AttachmentShare:
    """A caseworker's choice to let the force of the case's identified share see this file,
    kept as a disclosure under the consent the share rests on."""
    if not is_charity_staff(shared_by):
        raise ValidationError({"shared_by": ["Only the charity's staff share its files."]})
    locked = _lock(attachment)
    share = _share_for(locked.case, police_force)
    current = AttachmentShare.objects.filter(
        attachment=locked, shared_case=share, withdrawn_at__isnull=True
    ).first()
    if current is not None:
        return current
    basis = share_basis(share)
    if basis is None:
        raise Conflict("This share rests on no consent decision.", code="no_basis")
    disclosure = record_disclosure(
        case=locked.case,
        kind=DisclosureKind.SHARED_ATTACHMENT,
        recipient=share.police_force,
        content=json.dumps(disclosed_package(locked, share), sort_keys=True),
        actor=shared_by,
        series=f"attachment:{locked.pk.hex}:{share.pk.hex}",
        consent_decision=basis,
        shared_case=share,
    )
    shared = AttachmentShare.objects.create(
        attachment=locked,
        shared_case=share,
        shared_by=shared_by,
        shared_at=timezone.now(),
        disclosure=disclosure,
    )
    audit_record(
        actor=shared_by,
        action="attachment.share",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        detail={"share": share.share_reference, "police_force": str(share.police_force_id)},
    )
    return shared


@transaction.atomic
def attachment_unshare(
    *, attachment: Attachment, police_force: uuid.UUID, withdrawn_by: User
) -> int:
    """The force no longer sees the file, from its next request."""
    locked = _lock(attachment)
    now = timezone.now()
    ended = AttachmentShare.objects.filter(
        attachment=locked, shared_case__police_force_id=police_force, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, withdrawn_by=withdrawn_by)
    if not ended:
        raise ValidationError({"police_force": ["This attachment is not shared with that force."]})
    audit_record(
        actor=withdrawn_by,
        action="attachment.unshare",
        target=locked,
        organisation=locked.case.organisation,
        case_id=locked.case_id,
        detail={"police_force": str(police_force)},
    )
    return ended


def attachments_erase_for_case(case: Case, *, actor: Actor) -> int:
    """Inside the caller's transaction (anonymisation, for erasure and retention): the case's
    files and their records go; each file leaves storage when the transaction commits."""
    erased = 0
    for attachment in Attachment.objects.filter(case_id=case.pk):
        attachment.delete()
        erased += 1
    if erased:
        audit_record(
            actor=actor,
            action="attachment.erase",
            organisation=case.organisation,
            case_id=case.pk,
            detail={"count": erased},
        )
    return erased


def attachments_reconcile(*, now: Any = None) -> dict[str, int]:
    """Storage and records, held to each other: a stored file without a record (older than the
    grace period, so never an upload still in flight) is removed; a record whose file is missing
    is reported (logged and audited), as nothing can bring the file back."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.ATTACHMENTS_ORPHAN_GRACE_SECONDS)
    store = storage.attachment_storage()
    names = set(storage.stored_names())
    known = set(Attachment.objects.values_list("storage_name", flat=True))
    removed = 0
    for name in sorted(names - known):
        try:
            modified = store.get_modified_time(name)
        except (OSError, NotImplementedError):
            continue
        if now - modified < grace:
            continue
        # Checked again just before: a record may have been committed since the listing.
        if not Attachment.objects.filter(storage_name=name).exists():
            store.delete(name)
            removed += 1
    missing: list[str] = []
    for attachment_id, name in Attachment.objects.values_list("pk", "storage_name"):
        if name not in names:
            missing.append(str(attachment_id))
    if removed or missing:
        with transaction.atomic():
            audit_record(
                actor=SYSTEM_RECONCILE,
                action="attachment.reconcile",
                detail={"orphans_removed": removed, "files_missing": missing[:100]},
            )
    for lost in missing:
        logger.error("attachment %s has no file in storage", lost)
    return {"orphans_removed": removed, "files_missing": len(missing)}
