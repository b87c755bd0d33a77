"""The audit keys: HMAC-SHA-256 keys by id, the first one signing new events and exported chain
heads, the others kept only to verify what they signed before a rotation. The keys live in the
environment, never in the database, so whoever can write the audit table still cannot forge a
link of the chain."""

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from casework.crypto.keyring import _decode_key


class UnknownAuditKey(Exception):
    """An event or head names a key that is not in ``AUDIT_HASH_KEYS``."""


@dataclass(frozen=True)
class AuditKeys:
    primary_id: str
    keys: dict[str, bytes]

    @classmethod
    def from_settings(cls) -> "AuditKeys":
        entries = list(settings.AUDIT_HASH_KEYS)
        if not entries:
            raise ImproperlyConfigured("AUDIT_HASH_KEYS needs at least one key.")
        keys: dict[str, bytes] = {}
        for entry in entries:
            key_id, sep, material = entry.partition(":")
            if not sep or not key_id.isalnum() or len(key_id) > 16:
                raise ImproperlyConfigured(
                    "Each AUDIT_HASH_KEYS entry is '<id>:<base64 key>', the id 1-16 letters or "
                    "digits."
                )
            if key_id in keys:
                raise ImproperlyConfigured(f"Key id {key_id} appears twice in AUDIT_HASH_KEYS.")
            keys[key_id] = _decode_key(material, f"Audit key {key_id}")
        return cls(primary_id=entries[0].partition(":")[0], keys=keys)

    def mac(self, message: bytes, key_id: str) -> str:
        try:
            key = self.keys[key_id]
        except KeyError:
            raise UnknownAuditKey(key_id) from None
        return hmac.new(key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def audit_keys() -> AuditKeys:
    return AuditKeys.from_settings()


def _reset(*, setting: str, **kwargs) -> None:
    if setting == "AUDIT_HASH_KEYS":
        audit_keys.cache_clear()


setting_changed.connect(_reset)
