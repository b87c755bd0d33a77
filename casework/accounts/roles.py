"""What a role brings with it, spelled once: its rank among a case's staff, and the permission
group it puts a person in.

Groups are named after their organisation (``org:<id>:supervisors``, ``org:<id>:police_liaison``)
and hold object permissions for everyone in them: an organisation's supervisors see every case of
their charity through their group, and a force's liaisons see its shares through theirs. Nobody
else belongs to any organisation group."""

import uuid

from django.contrib.auth.models import Group

from .choices import OrganisationKind, Role
from .models import Organisation, User

GROUP_PREFIX = "org:"
SUPERVISORS_GROUP = GROUP_PREFIX + "{id}:supervisors"
LIAISON_GROUP = GROUP_PREFIX + "{id}:police_liaison"

# Who is a case's person when several are assigned: its caseworker, then its ISVA, then anyone
# else (a supervisor assigned to it). Lower ranks first.
CASE_RANK: dict[str, int] = {Role.CASEWORKER: 0, Role.ISVA: 1}
OTHER_RANK = 2


def supervisors_group_name(organisation_id: uuid.UUID | str) -> str:
    return SUPERVISORS_GROUP.format(id=organisation_id)


def liaison_group_name(force_id: uuid.UUID | str) -> str:
    return LIAISON_GROUP.format(id=force_id)


def supervisors_group(organisation: Organisation) -> Group:
    group, _ = Group.objects.get_or_create(name=supervisors_group_name(organisation.pk))
    return group


def liaison_group(force: Organisation) -> Group:
    group, _ = Group.objects.get_or_create(name=liaison_group_name(force.pk))
    return group


def sync_group_membership(user: User) -> None:
    """A charity supervisor belongs to their organisation's supervisors group, a police liaison to
    their force's liaison group; nobody else belongs to any organisation group. Called by the
    staff services whenever someone joins or changes role, in the same transaction."""
    wanted = None
    organisation = user.organisation if user.organisation_id else None
    if organisation is not None:
        if user.role == Role.SUPERVISOR and organisation.kind == OrganisationKind.CHARITY:
            wanted = supervisors_group(organisation)
        elif user.role == Role.POLICE_LIAISON and organisation.kind == OrganisationKind.POLICE:
            wanted = liaison_group(organisation)
    for group in user.groups.filter(name__startswith=GROUP_PREFIX):
        if group != wanted:
            user.groups.remove(group)
    if wanted is not None:
        user.groups.add(wanted)
