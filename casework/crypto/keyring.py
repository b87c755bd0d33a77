"""The keyring: AES-256-GCM keys by id, the first one primary, plus the keyed-hash key."""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

PREFIX = "enc1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A value could not be decrypted: unknown key id, or tampered or misplaced ciphertext."""


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(f"{what} is not valid URL-safe base64.") from None
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes (256 bits); it is {len(raw)}.")
    return raw


def keys_by_id(setting: str) -> tuple[str, dict[str, bytes]]:
    """A setting that lists keys as "<id>:<URL-safe base64 of 32 bytes>" entries, the first one
    in use for new work and the others kept for what they did before a rotation: the first id,
    and every key by its id. Any entry that is not so refuses to load, saying which setting."""
    entries = list(getattr(settings, setting))
    if not entries:
        raise ImproperlyConfigured(f"{setting} needs at least one key.")
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, sep, material = entry.partition(":")
        if not sep or not key_id.isalnum() or len(key_id) > 16:
            raise ImproperlyConfigured(
                f"Each {setting} entry is '<id>:<base64 key>', the id 1-16 letters or digits."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"Key id {key_id} appears twice in {setting}.")
        keys[key_id] = _decode_key(material, f"Key {key_id} of {setting}")
    return entries[0].partition(":")[0], keys


@dataclass(frozen=True)
class Keyring:
    """Immutable once built, so threads share it safely."""

    primary_id: str
    keys: dict[str, AESGCM]
    hash_key: bytes

    @classmethod
    def from_settings(cls) -> "Keyring":
        primary_id, raw = keys_by_id("FIELD_ENCRYPTION_KEYS")
        keys = {key_id: AESGCM(key) for key_id, key in raw.items()}
        hash_key = _decode_key(settings.FIELD_HASH_KEY, "FIELD_HASH_KEY")
        return cls(primary_id=primary_id, keys=keys, hash_key=hash_key)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.primary_id].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        token = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}:{self.primary_id}:{token}"

    def decrypt(self, stored: str, *, context: str) -> str:
        try:
            prefix, key_id, token = stored.split(":", 2)
        except ValueError:
            raise DecryptionError("Not an encrypted value.") from None
        if prefix != PREFIX or key_id not in self.keys:
            raise DecryptionError(f"No key {key_id!r} in the keyring.")
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
            plaintext = self.keys[key_id].decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")
            )
        except (InvalidTag, binascii.Error, ValueError):
            raise DecryptionError("The value is damaged or belongs elsewhere.") from None
        return plaintext.decode("utf-8")

    @staticmethod
    def key_id_of(stored: str) -> str | None:
        parts = stored.split(":", 2)
        return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None

    def blind_index(self, kind: str, normalised: str) -> str:
        message = f"{kind}\x00{normalised}".encode()
        return hmac.new(self.hash_key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    return Keyring.from_settings()


def blind_index(kind: str, normalised: str) -> str:
    """The keyed hash used for exact-match lookups of a normalised value of a given kind."""
    return keyring().blind_index(kind, normalised)


def _reset(*, setting: str, **kwargs) -> None:
    if setting in ("FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        keyring.cache_clear()


setting_changed.connect(_reset)
