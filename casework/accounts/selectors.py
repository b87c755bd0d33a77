"""Reading organisations, staff and API keys as the caller may see them, and the members of an
organisation that a request or a service names."""

import uuid
from collections.abc import Collection

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.core.access import visible_to

from .models import ApiKey, Organisation, User

# Someone named by id (from a request) or given as a person (from another service).
PersonRef = User | uuid.UUID


def members_named(organisation_id: uuid.UUID, named: Collection[PersonRef]) -> list[User] | None:
    """The people named, in the order first named, if every one is a member of the organisation;
    otherwise ``None``, the same whether an id names nobody or someone elsewhere, so a caller's
    answer says nothing about other organisations. People given as records cost no query."""
    ids = [ref for ref in named if not isinstance(ref, User)]
    found = {
        user.pk: user
        for user in (
            User.objects.filter(pk__in=ids, organisation_id=organisation_id) if ids else []
        )
    }
    found |= {ref.pk: ref for ref in named if isinstance(ref, User)}
    wanted = list(dict.fromkeys(ref.pk if isinstance(ref, User) else ref for ref in named))
    people = [found[pk] for pk in wanted if pk in found]
    if len(people) != len(wanted) or any(p.organisation_id != organisation_id for p in people):
        return None
    return people


def organisations(*, principal: Principal, action: str = "view") -> "QuerySet[Organisation]":
    return visible_to(Organisation.objects.all(), principal, action=action)


def organisations_to_name() -> "QuerySet[Organisation]":
    """Every organisation, for resolving one a request names by id (the charity a superuser adds
    staff to, the police force a consent is about). Naming one grants nothing: the service
    taking the request decides whether it may be used."""
    return Organisation.objects.all()


def staff(*, principal: Principal, action: str = "view") -> "QuerySet[User]":
    """Members of staff the caller manages (superusers' own accounts outside any organisation
    are never listed)."""
    return visible_to(
        User.objects.select_related("organisation").filter(organisation__isnull=False),
        principal,
        action=action,
    )


def api_keys(*, principal: Principal, action: str = "view") -> "QuerySet[ApiKey]":
    return visible_to(
        ApiKey.objects.select_related("organisation", "created_by"), principal, action=action
    )
