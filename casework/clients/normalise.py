"""Normalising contact values so that the same number or address always hashes the same."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .choices import PHONE_KINDS, ContactKind

DEFAULT_REGION = "GB"


def normalise_phone(raw: str) -> str:
    """E.164, reading numbers without a country code as UK numbers."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "This is not a phone number we can read.", code="invalid_phone"
        ) from None
    # "Possible" (right length for its country) rather than "valid" (in an allocated range): a
    # number allocated last month must not be refused, and Ofcom's drama ranges stay usable for
    # demo data, so that no real person's number appears in it.
    if not phonenumbers.is_possible_number(number):
        raise ValidationError("This is not a valid phone number.", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    value = raw.strip()
    if "\r" in value or "\n" in value:
        raise ValidationError("Enter a valid email address.", code="invalid_email")
    validate_email(value)
    return value.lower()


def normalise(kind: str, raw: str) -> str:
    """The stored form of a contact value: phones in E.164, emails lower-cased, text trimmed."""
    if kind in PHONE_KINDS:
        return normalise_phone(raw)
    if kind == ContactKind.EMAIL:
        return normalise_email(raw)
    value = raw.strip()
    if not value:
        raise ValidationError("This field may not be blank.", code="blank")
    return value


def lookup_kind(kind: str) -> str | None:
    """The keyed-hash namespace of a kind: all phones share one, so a mobile number recorded as a
    landline still matches."""
    if kind in PHONE_KINDS:
        return "phone"
    if kind == ContactKind.EMAIL:
        return "email"
    return None
