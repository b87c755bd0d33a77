"""Reading clients and their contact methods, narrowed first to what the caller may see (or
change); exact-match look-ups by phone number or email through the keyed hash."""

import uuid
from collections.abc import Collection

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.core.access import visible_to
from casework.crypto import blind_index

from .models import Client, ContactMethod
from .normalise import normalise_email, normalise_phone


def clients(*, principal: Principal, action: str = "view") -> "QuerySet[Client]":
    return visible_to(Client.objects.all(), principal, action=action)


def contact_methods(
    *, principal: Principal, client: Client, action: str = "view"
) -> "QuerySet[ContactMethod]":
    """The client's contact methods, current and retired."""
    return visible_to(ContactMethod.objects.all(), principal, action=action).filter(
        client_id=client.pk
    )


def contact_methods_named(
    *, principal: Principal, ids: Collection[uuid.UUID | str]
) -> "QuerySet[ContactMethod]":
    """The methods among ``ids`` the caller may see: a reference to a route (from a reminder,
    say) is no way round the restriction on contact methods."""
    return visible_to(ContactMethod.objects.filter(pk__in=list(ids)), principal)


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
