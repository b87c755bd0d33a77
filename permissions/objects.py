"""Reading the object permissions on cases (django-guardian, direct foreign-key tables): which
cases a person holds a permission on, directly or through their organisation's group.

The rows are written beside the changes that call for them (``casework.cases.grants`` with an
assignment or a case's opening, ``casework.accounts.roles`` for group membership), in the same
transaction. Nothing here is cached: a change applies to the very next request."""

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from casework.accounts.models import User
from casework.accounts.roles import sync_group_membership
from casework.cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission

# The test factories put people in their groups as the staff services do.
__all__ = [
    "case_permission_filter",
    "cases_visible_to",
    "group_ids",
    "remember_group_ids",
    "sync_group_membership",
]


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


GROUP_IDS = "_casework_group_ids"


def remember_group_ids(user: User, ids: list[int] | None) -> None:
    """Keeps the person's groups as read with them (token authentication reads them in its own
    statement), so no later check of this request reads them again."""
    vars(user)[GROUP_IDS] = list(ids or [])


def group_ids(user: User) -> list[int]:
    """The person's groups, read once per request (by authentication, or here on first use):
    the user object is loaded afresh for every request, so a change of role still applies to the
    very next one."""
    cache = vars(user)
    if GROUP_IDS not in cache:
        cache[GROUP_IDS] = list(user.groups.values_list("pk", flat=True))
    ids: list[int] = cache[GROUP_IDS]
    return ids


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


def cases_visible_to(user: User, codename: str = "view_case") -> "QuerySet[Case]":
    """The cases of the person's organisation they hold ``codename`` on."""
    return Case.objects.filter(Q(organisation_id=user.organisation_id)).filter(
        case_permission_filter(user, codename)
    )
