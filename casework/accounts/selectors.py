"""Reading people: the members of an organisation that a request or a service names."""

import uuid
from collections.abc import Collection

from .models import User

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
