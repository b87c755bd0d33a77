"""The audit keys: HMAC-SHA-256 keys by id, the first one signing new events and exported chain
heads, the others kept only to verify what they signed before a rotation. The keys live in the
environment, never in the database, so whoever can write the audit table still cannot forge a
link of the chain."""

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.core.signals import setting_changed

from casework.crypto.keyring import keys_by_id


class UnknownAuditKey(Exception):
    """An event or head names a key that is not in ``AUDIT_HASH_KEYS``."""


@dataclass(frozen=True)
class AuditKeys:
    primary_id: str
    keys: dict[str, bytes]

    @classmethod
    def from_settings(cls) -> "AuditKeys":
        primary_id, keys = keys_by_id("AUDIT_HASH_KEYS")
        return cls(primary_id=primary_id, keys=keys)

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
