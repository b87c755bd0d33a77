"""Reading clients: exact-match look-ups by phone number or email through the keyed hash."""

from django.db.models import QuerySet

from casework.crypto import blind_index

from .models import Client
from .normalise import normalise_email, normalise_phone


def clients_matching(
    *, visible: "QuerySet[Client]", phone: str | None = None, email: str | None = None
) -> "QuerySet[Client]":
    """Clients among ``visible`` with a contact method (current or past) equal to the value.

    Compares keyed hashes of the normalised value; no row is decrypted to search."""
    if phone:
        digest = blind_index("phone", normalise_phone(phone))
    else:
        digest = blind_index("email", normalise_email(email or ""))
    return visible.filter(contact_methods__value_hash=digest).distinct()
