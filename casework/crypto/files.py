"""Sealing files: AES-256-GCM under a data key of each file's own, in chunks, so a download is
decrypted (and checked) as it streams.

The data key is kept beside the file's record in an encrypted field, so the keyring wraps it and
key rotation re-wraps it without touching the file. The sealed form is ``MAGIC``, a random nonce
prefix, then each chunk of at most ``CHUNK`` bytes sealed with a nonce of that prefix and the
chunk's number. The associated data binds every chunk to its file (its record's id), its place,
and whether it is the last, so chunks cannot be reordered, moved to another file, or cut off
the end unnoticed."""

import base64
import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keyring import DecryptionError

MAGIC = b"CWF1"
PREFIX_BYTES = 8
CHUNK = 64 * 1024
TAG_BYTES = 16


def new_data_key() -> str:
    """A fresh 256-bit key, as text for its encrypted field."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")


def _cipher(data_key: str) -> AESGCM:
    return AESGCM(base64.urlsafe_b64decode(data_key.encode("ascii")))


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _aad(binding: str, index: int, last: bool) -> bytes:
    return f"{binding}:{index}:{int(last)}".encode()


def seal(data: bytes, *, data_key: str, binding: str) -> bytes:
    """``data`` sealed; ``binding`` (the record's id) must be given again to open it."""
    cipher = _cipher(data_key)
    prefix = os.urandom(PREFIX_BYTES)
    parts = [MAGIC, prefix]
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        parts.append(cipher.encrypt(_nonce(prefix, index), chunk, _aad(binding, index, last)))
    return b"".join(parts)


def _sealed_chunks(stream: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Each sealed chunk with whether it is the last (read one ahead)."""
    size = CHUNK + TAG_BYTES
    current = stream.read(size)
    while current:
        following = stream.read(size)
        yield current, not following
        current = following


def open_stream(stream: BinaryIO, *, data_key: str, binding: str) -> Iterator[bytes]:
    """The plaintext of a sealed file, chunk by chunk, each checked before it is given out;
    a damaged, truncated or misplaced file raises ``DecryptionError`` where the damage is."""
    header = stream.read(len(MAGIC) + PREFIX_BYTES)
    if len(header) != len(MAGIC) + PREFIX_BYTES or not header.startswith(MAGIC):
        raise DecryptionError("Not a sealed file.")
    prefix = header[len(MAGIC) :]
    cipher = _cipher(data_key)
    seen = False
    for index, (sealed, last) in enumerate(_sealed_chunks(stream)):
        seen = True
        try:
            yield cipher.decrypt(_nonce(prefix, index), sealed, _aad(binding, index, last))
        except InvalidTag:
            raise DecryptionError("The file is damaged or belongs elsewhere.") from None
    if not seen:
        raise DecryptionError("The file is cut short.")


def open_bytes(sealed: Iterable[bytes] | bytes, *, data_key: str, binding: str) -> bytes:
    import io

    raw = sealed if isinstance(sealed, bytes) else b"".join(sealed)
    return b"".join(open_stream(io.BytesIO(raw), data_key=data_key, binding=binding))
