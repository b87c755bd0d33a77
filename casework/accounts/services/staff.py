"""Joining, changing and leaving: the rules for staff accounts."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from knox.models import AuthToken

from ..choices import ROLES_BY_KIND, role_fits
from ..errors import Conflict
from ..models import Organisation, User
from ._validation import full_clean


def sync_group_membership(user: User) -> None:
    from permissions.objects import sync_group_membership as sync

    sync(user)


def _check_role(organisation: Organisation, role: str) -> None:
    if not role_fits(organisation.kind, role):
        allowed = ", ".join(sorted(ROLES_BY_KIND[organisation.kind]))
        raise ValidationError(
            {
                "role": [
                    f"A {organisation.get_kind_display().lower()} has only these roles: {allowed}."
                ]
            }
        )


@transaction.atomic
def staff_create(
    *,
    organisation: Organisation,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    _check_role(organisation, role)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["A person with this username already exists."]})
    user = User(
        organisation=organisation,
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    full_clean(user, exclude=["password"])
    user.save()
    sync_group_membership(user)
    return user


@transaction.atomic
def staff_update(
    *,
    user: User,
    role: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
) -> User:
    locked = (
        User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user.pk)
    )
    if role is not None:
        _check_role(locked.organisation, role)
        locked.role = role
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
        if value is not None:
            setattr(locked, field, value)
    full_clean(locked, exclude=["password"])
    locked.save()
    sync_group_membership(locked)
    return locked


@transaction.atomic
def staff_set_active(*, user: User, active: bool, changed_by: User | None = None) -> User:
    """Deactivating someone ends every session they have, in the same transaction."""
    if changed_by is not None and changed_by.pk == user.pk and not active:
        raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    if not active:
        tokens_revoke_all(user=locked)
    return locked


def tokens_revoke_all(*, user: User) -> int:
    """Ends every token of the person; returns how many there were."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
