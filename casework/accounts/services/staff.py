"""Joining, changing and leaving: the rules for staff accounts."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from casework.accounts.principals import Actor, Principal
from casework.audit.services import audit_record
from casework.core.errors import Conflict
from casework.court.models import CalendarFeed

from ..choices import ROLES_BY_KIND, role_fits
from ..models import Organisation, User
from ..roles import sync_group_membership
from ._validation import full_clean


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
    by: Actor,
    organisation: Organisation,
    username: str,
    role: str,
    password: str | None = None,
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
    if password is None:
        # They set it themselves through a link (password_links.password_link_send).
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    full_clean(user, exclude=["password"])
    user.save()
    sync_group_membership(user)
    audit_record(
        actor=by,
        action="staff.create",
        target=user,
        organisation=organisation,
        changed_fields=["username", "role", "first_name", "last_name", "email"],
        detail={"role": role},
    )
    return user


@transaction.atomic
def staff_update(
    *,
    by: Principal,
    user: User,
    role: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
) -> User:
    locked: User = (
        User.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=user.pk)
    )
    before = {f: getattr(locked, f) for f in ("role", "first_name", "last_name", "email")}
    if role is not None:
        if locked.organisation is None:
            raise ValidationError({"role": ["A platform superuser has no role to change."]})
        _check_role(locked.organisation, role)
        locked.role = role
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
        if value is not None:
            setattr(locked, field, value)
    full_clean(locked, exclude=["password"])
    locked.save()
    sync_group_membership(locked)
    changed = [f for f, value in before.items() if getattr(locked, f) != value]
    if changed:
        detail = {"role": {"from": before["role"], "to": locked.role}} if "role" in changed else {}
        audit_record(
            actor=by,
            action="staff.role_change" if "role" in changed else "staff.update",
            target=locked,
            organisation=locked.organisation,
            changed_fields=changed,
            detail=detail,
        )
    return locked


@transaction.atomic
def staff_set_active(*, user: User, active: bool, changed_by: Principal) -> User:
    """Deactivating someone ends every session they have, in the same transaction."""
    if getattr(changed_by, "pk", None) == user.pk and not active:
        raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
    locked: User = (
        User.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=user.pk)
    )
    was = locked.is_active
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    if was != active:
        audit_record(
            actor=changed_by,
            action="staff.activate" if active else "staff.deactivate",
            target=locked,
            organisation=locked.organisation,
            changed_fields=["is_active"],
        )
    if not active:
        tokens_revoke_all(user=locked, by=changed_by, reason="deactivated")
    return locked


@transaction.atomic
def tokens_revoke_all(*, user: User, by: Actor, reason: str) -> int:
    """Ends every token of the person, their court calendar link among them (a bearer secret
    like a session: it ends on a password change, deactivation and a two-factor change too),
    and records who ended them and why; returns how many sessions there were."""
    deleted: int
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    feeds = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=by,
        action="auth.tokens_revoked",
        target=user,
        organisation=user.organisation,
        detail={"sessions": deleted, "calendar_feeds": feeds, "reason": reason},
    )
    return deleted
