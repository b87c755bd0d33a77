"""The object permissions of cases (django-guardian, direct foreign-key tables), written beside
the changes that call for them and in the same transaction.

Assigned staff hold ``view_case`` and ``change_case`` on their cases, granted with the assignment
and removed with it. An organisation's supervisors hold them through their organisation's
supervisors group, granted when the case is opened. ``permissions/`` reads these rows to decide
who sees what; only the case services write them."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from casework.accounts.models import User
from casework.accounts.roles import supervisors_group

from .models import CASE_PERMISSIONS, Case, CaseGroupObjectPermission, CaseUserObjectPermission


def _case_permissions() -> list[Permission]:
    content_type = ContentType.objects.get_for_model(Case)
    return list(Permission.objects.filter(content_type=content_type, codename__in=CASE_PERMISSIONS))


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
