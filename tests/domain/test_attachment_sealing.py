"""Sealed files: each chunk bound to its file, its place and whether it is the last, so a file
damaged, cut short, reordered or moved to another record does not open; and key rotation
re-wraps a file's key without reading or rewriting the file."""

import base64
import os

import pytest
from django.db import connection

from casework.attachments.models import Attachment
from casework.attachments.services import attachment_upload, plaintext
from casework.core.database_roles import as_owner
from casework.crypto import DecryptionError
from casework.crypto.files import CHUNK, TAG_BYTES, new_data_key, open_bytes, seal
from casework.crypto.rotation import rotate

from ..attachments import stored_files
from ..factories import CaseFactory

DATA = os.urandom(CHUNK * 2 + 1234)
HEADER = 12


def test_a_sealed_file_opens_only_with_its_key_and_binding():
    key = new_data_key()
    sealed = seal(DATA, data_key=key, binding="file-a")
    assert DATA not in sealed
    assert open_bytes(sealed, data_key=key, binding="file-a") == DATA
    with pytest.raises(DecryptionError):
        open_bytes(sealed, data_key=key, binding="file-b")
    with pytest.raises(DecryptionError):
        open_bytes(sealed, data_key=new_data_key(), binding="file-a")


def test_a_damaged_truncated_or_reordered_file_does_not_open():
    key = new_data_key()
    sealed = seal(DATA, data_key=key, binding="f")
    flipped = bytearray(sealed)
    flipped[HEADER + 10] ^= 1
    size = CHUNK + TAG_BYTES
    first, second = sealed[HEADER : HEADER + size], sealed[HEADER + size : HEADER + 2 * size]
    reordered = sealed[:HEADER] + second + first + sealed[HEADER + 2 * size :]
    cut_at_chunk = sealed[: HEADER + 2 * size]
    for damaged in (bytes(flipped), reordered, cut_at_chunk, sealed[:-1], sealed[:HEADER]):
        with pytest.raises(DecryptionError):
            open_bytes(damaged, data_key=key, binding="f")


@pytest.mark.django_db
def test_rotation_rewraps_the_files_key_and_leaves_the_file_as_it_was(settings, attachment_storage):
    case = CaseFactory()
    text = b"Kept through a key rotation.\n" * 100
    attachment = attachment_upload(
        case=case,
        uploaded_by=case.created_by,
        data=text,
        name="a.txt",
        declared_type="",
        kind="other",
    )
    [stored] = stored_files(attachment_storage)
    before = stored.read_bytes()
    modified = stored.stat().st_mtime_ns
    new = f"rot9:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"
    settings.FIELD_ENCRYPTION_KEYS = [new, *settings.FIELD_ENCRYPTION_KEYS]
    with as_owner():  # as rotate_encryption_keys runs: the consent ledger is the owner's to rewrite
        list(rotate())
    with connection.cursor() as cursor:
        cursor.execute("SELECT data_key FROM attachments_attachment WHERE id = %s", [attachment.pk])
        [(wrapped,)] = cursor.fetchall()
    assert wrapped.startswith("enc1:rot9:")
    assert stored.read_bytes() == before and stored.stat().st_mtime_ns == modified
    settings.FIELD_ENCRYPTION_KEYS = [new]
    again = Attachment.objects.get(pk=attachment.pk)
    assert b"".join(plaintext(again)) == text
