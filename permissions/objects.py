"""Object permissions on cases (django-guardian, direct foreign-key tables).

Assigned staff hold ``view_case`` and ``change_case`` on their cases, granted with the assignment
and removed with it by the same transaction. An organisation's supervisors hold them through
their organisation's supervisors group, granted when the case is opened. Nothing here is cached:
a change applies to the very next request."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from casework.accounts.choices import OrganisationKind, Role
from casework.accounts.models import Organisation, User
from casework.cases.models import (
    CASE_PERMISSIONS,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
)

SUPERVISORS_GROUP = "org:{id}:supervisors"


def _case_permissions() -> list[Permission]:
    content_type = ContentType.objects.get_for_model(Case)
    return list(Permission.objects.filter(content_type=content_type, codename__in=CASE_PERMISSIONS))


def supervisors_group(organisation: Organisation) -> Group:
    group, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP.format(id=organisation.pk))
    return group


def sync_group_membership(user: User) -> None:
    """A charity supervisor belongs to their organisation's supervisors group, a police liaison to
    their force's liaison group; nobody else belongs to any organisation group."""
    from casework.sharing.derivation import liaison_group

    prefix = "org:"
    current = user.groups.filter(name__startswith=prefix)
    wanted = None
    kind = user.organisation.kind if user.organisation_id else None
    if user.role == Role.SUPERVISOR and kind == OrganisationKind.CHARITY:
        wanted = supervisors_group(user.organisation)
    elif user.role == Role.POLICE_LIAISON and kind == OrganisationKind.POLICE:
        wanted = liaison_group(user.organisation)
    for group in current:
        if group != wanted:
            user.groups.remove(group)
    if wanted is not None:
        user.groups.add(wanted)


def grant_case_to_supervisors(case: Case) -> None:
    group = supervisors_group(case.organisation)
    CaseGroupObjectPermission.objects.bulk_create(
        [
            CaseGroupObjectPermission(group=group, permission=p, content_object=case)
            for p in _case_permissions()
        ],
        ignore_conflicts=True,
    )


def grant_case_to_user(case: Case, user: User) -> None:
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(user=user, permission=p, content_object=case)
            for p in _case_permissions()
        ],
        ignore_conflicts=True,
    )


def revoke_case_from_user(case: Case, user: User) -> None:
    CaseUserObjectPermission.objects.filter(user=user, content_object=case).delete()


def _permission(codename: str) -> Subquery:
    """The permission's id as a scalar subquery, which PostgreSQL computes once per statement
    (an InitPlan) and then probes the permission indexes with, row by row."""
    return Subquery(
        Permission.objects.filter(
            content_type__app_label="cases", content_type__model="case", codename=codename
        )
        .order_by()
        .values("pk")[:1]
    )


def group_ids(user: User) -> list[int]:
    """The person's groups, read once per request: the user object is loaded afresh for every
    request, so a change of role still applies to the very next one."""
    if not hasattr(user, "_casework_group_ids"):
        user._casework_group_ids = list(user.groups.values_list("pk", flat=True))
    return user._casework_group_ids


def case_permission_filter(user: User, codename: str = "view_case", ref: str = "pk") -> Q:
    """A filter on cases (``ref`` names the case id column) for those the person holds
    ``codename`` on, directly or through a group. Global (model-level) permissions are
    deliberately ignored: they never reveal an object.

    Shaped for PostgreSQL's planner, with the person's groups read first (one small query):
    someone in no group (a caseworker, an ISVA) sees the few thousand cases their own rows
    name, listed from those rows; someone in a group (a supervisor, who sees nearly every case
    of the organisation) gets EXISTS probes on the unique (user or group, permission, case)
    indexes, so a page walks the case index in list order and stops once it is full."""
    direct = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission_id=_permission(codename)
    )
    groups = group_ids(user)
    if not groups:
        return Q(**{f"{ref}__in": direct.values("content_object_id")})
    via_group = CaseGroupObjectPermission.objects.filter(
        group_id__in=groups, permission_id=_permission(codename), content_object_id=OuterRef(ref)
    )
    return Q(Exists(direct.filter(content_object_id=OuterRef(ref)))) | Q(Exists(via_group))


def cases_visible_to(user: User, codename: str = "view_case") -> QuerySet:
    """The cases of the person's organisation they hold ``codename`` on."""
    return Case.objects.filter(organisation_id=user.organisation_id).filter(
        case_permission_filter(user, codename)
    )
