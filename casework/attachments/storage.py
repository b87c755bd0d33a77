"""The attachment storage (``STORAGES["attachments"]``, through django-storages): it only ever
holds sealed files, under names that say nothing (``attachments/<random>``)."""

import uuid
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from casework.crypto.files import open_stream, seal

FOLDER = "attachments"


def attachment_storage() -> Storage:
    return storages["attachments"]


def new_storage_name() -> str:
    return f"{FOLDER}/{uuid.uuid4().hex}"


def write_sealed(name: str, data: bytes, *, data_key: str, binding: str) -> str:
    """Seals ``data`` and writes it under ``name``; the name actually used is returned (a
    storage never overwrites, and these names are never reused)."""
    return attachment_storage().save(
        name, ContentFile(seal(data, data_key=data_key, binding=binding))
    )


def read_plain(name: str, *, data_key: str, binding: str) -> Iterator[bytes]:
    """The file's plaintext, decrypted chunk by chunk as it is read."""
    with attachment_storage().open(name, "rb") as stream:
        yield from open_stream(stream, data_key=data_key, binding=binding)  # type: ignore[arg-type]


def remove(name: str) -> None:
    storage = attachment_storage()
    if name and storage.exists(name):
        storage.delete(name)


def stored_names() -> Iterator[str]:
    """Every name in the attachment folder of the storage."""
    storage = attachment_storage()
    if not storage.exists(FOLDER) and not hasattr(storage, "bucket"):
        return
    _, files = storage.listdir(FOLDER)
    for file in files:
        yield f"{FOLDER}/{file}"
