"""Normalising an offender's identifiers, so that the same number, address, registration or
handle always hashes the same however it was typed, and hashing them for the checker.

The checker's keyed hash has its own keys (``CHECKER_HASH_KEYS``, "<id>:<base64 32 bytes>", the
first one hashing new values), apart from the field keyring's: a leaked checker key exposes no
client's contact details, and it can be rotated on its own. While a rotation runs, a query is
hashed under every listed key, so alerts still hashed under the old key keep matching."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.signals import setting_changed

from casework.clients.normalise import normalise_email, normalise_phone
from casework.crypto.keyring import keys_by_id

from .choices import IdentifierKind

# A UK registration, or a foreign one: letters and digits, both, two to eight of them.
VEHICLE = re.compile(r"^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{2,8}$")
HANDLE = re.compile(r"^[^\s]{1,200}$")


def normalise_vehicle(raw: str) -> str:
    value = re.sub(r"[\s\-]", "", raw).upper()
    if not VEHICLE.match(value):
        raise ValidationError(
            "This is not a vehicle registration we can read.", code="invalid_vehicle"
        )
    return value


def normalise_handle(raw: str) -> str:
    """A handle without its "@", or a profile URL without its scheme, "www." or trailing slash;
    case does not count."""
    value = raw.strip()
    if "://" in value or value.lower().startswith("www."):
        try:
            parts = urlsplit(value if "://" in value else f"https://{value}")
            host = (parts.hostname or "").removeprefix("www.")
        except ValueError:  # a malformed address, such as an unclosed "["
            host = ""
        if not host or "." not in host:
            raise ValidationError(
                "This is not a profile address we can read.", code="invalid_handle"
            )
        value = f"{host}{parts.path.rstrip('/')}"
        if parts.query:
            value = f"{value}?{parts.query}"
    else:
        value = value.removeprefix("@")
    value = value.lower()
    if not HANDLE.match(value):
        raise ValidationError("This is not a handle we can read.", code="invalid_handle")
    return value


NORMALISERS = {
    IdentifierKind.PHONE: normalise_phone,
    IdentifierKind.EMAIL: normalise_email,
    IdentifierKind.VEHICLE: normalise_vehicle,
    IdentifierKind.HANDLE: normalise_handle,
}


def normalise_identifier(kind: str, raw: str) -> str:
    """The stored form, or a ``ValidationError`` that never repeats the value."""
    try:
        normaliser = NORMALISERS[IdentifierKind(kind)]
    except ValueError:
        raise ValidationError("Unknown kind of identifier.", code="invalid_kind") from None
    try:
        return normaliser(raw)
    except ValidationError as error:
        if kind == IdentifierKind.EMAIL:
            raise ValidationError(
                "This is not an email address we can read.", code="invalid_email"
            ) from None
        raise error from None


@dataclass(frozen=True)
class CheckerKeys:
    primary_id: str
    keys: dict[str, bytes]

    @classmethod
    def from_settings(cls) -> "CheckerKeys":
        primary_id, keys = keys_by_id("CHECKER_HASH_KEYS")
        return cls(primary_id=primary_id, keys=keys)

    def digest(self, key_id: str, kind: str, normalised: str) -> str:
        message = f"checker\x00{kind}\x00{normalised}".encode()
        return hmac.new(self.keys[key_id], message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def checker_keys() -> CheckerKeys:
    return CheckerKeys.from_settings()


def identifier_hash(kind: str, normalised: str) -> tuple[str, str]:
    """(key id, hash) of a normalised value under the primary checker key."""
    keys = checker_keys()
    return keys.primary_id, keys.digest(keys.primary_id, kind, normalised)


def query_hashes(kind: str, normalised: str) -> list[tuple[str, str]]:
    """(key id, hash) under every listed key: what a stored identifier may carry mid-rotation."""
    keys = checker_keys()
    return [(key_id, keys.digest(key_id, kind, normalised)) for key_id in keys.keys]


def _reset(*, setting: str, **kwargs: object) -> None:
    if setting == "CHECKER_HASH_KEYS":
        checker_keys.cache_clear()


setting_changed.connect(_reset)
