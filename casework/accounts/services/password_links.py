"""A person sets their own password through a link only they receive: a new member of staff
their first one, anyone whose supervisor sends them a new link. Nobody else ever chooses or sees
it.

The link carries Django's password-reset token (``default_token_generator``): it holds a hash of
the account's current password and last sign-in, so it is single-use (setting the password
changes the hash, and every other link sent before dies with it) and expires after
``PASSWORD_RESET_TIMEOUT`` (``SET_PASSWORD_LINK_HOURS``)."""

import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from casework.accounts.principals import Actor
from casework.audit.services import audit_record

from ..models import User
from .staff import tokens_revoke_all

logger = logging.getLogger("casework.accounts")

LINK_REFUSED = "This link has expired or has already been used. Ask your supervisor for a new one."


def password_link(user: User) -> str:
    """The link for ``user``, as the setting ``SET_PASSWORD_URL`` shapes it."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return str(settings.SET_PASSWORD_URL).format(uid=uid, token=token)


def password_link_send(*, user: User, by: Actor) -> bool:
    """Emails the person a link to set their password; returns whether the email went. The
    link itself is never returned, shown or recorded: it reaches the person alone."""
    if not user.email:
        raise ValidationError({"email": ["Record an email address to send the link to."]})
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    try:
        send_mail(
            subject="Set your Casework password",
            message=(
                f"Hello {user.get_full_name() or user.username},\n\n"
                f"Set your password for Casework (username {user.username}) here:\n\n"
                f"{password_link(user)}\n\n"
                f"The link works once and for {hours} hours. If you did not expect it, tell "
                "your supervisor.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )
        sent = True
    except Exception:  # the account stands; the supervisor can send another link
        logger.exception("password link email failed", extra={"user": str(user.pk)})
        sent = False
    audit_record(
        actor=by,
        action="staff.password_link_sent",
        target=user,
        organisation=user.organisation,
        detail={"sent": sent},
    )
    return sent


def _user_from(uid: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        user: User = User.objects.select_related("organisation").get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, ValidationError, User.DoesNotExist):
        return None
    return user


def password_set_with_link(*, uid: str, token: str, new_password: str) -> User:
    """Sets the password the link was sent for. A stale, reused or forged link is refused,
    changes nothing and is recorded; so is a new password the validators refuse (the link stays
    good for another try). Every session of the person ends with the change."""
    user = _user_from(uid)
    if user is None or not default_token_generator.check_token(user, token):
        audit_record(
            actor=user if user is not None else "anonymous",
            action="auth.password_link_refused",
            target=user,
            organisation=user.organisation if user is not None else None,
        )
        raise ValidationError({"token": [LINK_REFUSED]}, code="invalid_link")
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None
    return _set(user, new_password)


@transaction.atomic
def _set(user: User, new_password: str) -> User:
    locked: User = User.objects.select_for_update(no_key=True, of=("self",)).get(pk=user.pk)
    if locked.password != user.password:  # the link was used meanwhile
        raise ValidationError({"token": [LINK_REFUSED]}, code="invalid_link")
    locked.set_password(new_password)
    locked.save(update_fields=["password"])
    tokens_revoke_all(user=locked, by=locked, reason="password_set")
    audit_record(
        actor=locked, action="auth.password_set", target=locked, organisation=locked.organisation
    )
    return locked
