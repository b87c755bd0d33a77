"""Signing in and out with expiring tokens, with lockout and two-factor sign-in."""

from datetime import datetime
from typing import NoReturn

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from knox.models import AuthToken
from knox.settings import knox_settings

from casework.audit.services import audit_record
from casework.core.errors import LockedOut

from ..models import User
from . import two_factor
from .staff import tokens_revoke_all

INVALID_CREDENTIALS = "Unable to sign in with those credentials."


def _locked(request: HttpRequest, username: str) -> bool:
    locked: bool = AxesProxyHandler.is_locked(request, {"username": username})
    return locked


def _refuse(request: HttpRequest, username: str, reason: str) -> NoReturn:
    """Records the failure and answers it: the same answer whatever went wrong, or "locked out"
    once the username and address have failed too often."""
    known = User.objects.filter(username__iexact=username).first()
    if known is not None:
        audit_record(
            actor=known, action="auth.login_failed", target=known, detail={"reason": reason}
        )
    else:
        # The attempted name is not kept: it may be a password typed in the wrong box.
        audit_record(actor="anonymous", action="auth.login_failed", detail={"reason": reason})
    if _locked(request, username):
        raise LockedOut("Too many failed sign-ins. Try again later.")
    raise ValidationError({"non_field_errors": [INVALID_CREDENTIALS]}, code="invalid_login")


def login(
    *,
    request: HttpRequest,
    username: str,
    password: str,
    otp: str | None = None,
    end_other_sessions: bool = False,
) -> tuple[User, str, datetime]:
    """Checks the credentials (and the one-time code where two-factor sign-in is on) and
    returns the person, a new token and its expiry.

    Unknown username, wrong password, wrong code and inactive account give the same answer;
    repeated failures for a username from one address lock that pair out for a while
    (django-axes counts every failure, a wrong one-time code included). With two-factor on, a
    missing code is answered as a wrong password is (and counted as one), so the answer never
    tells that the password was right. ``end_other_sessions`` ends every other session of the
    person with this sign-in. A refusal's audit event stands on its own; the session, its audit
    event and the reset of the failure count commit together."""
    if _locked(request, username):
        raise LockedOut("Too many failed sign-ins. Try again later.")
    # authenticate() reports a failure to django-axes itself.
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        _refuse(request, username, "password_or_account")
    if user.organisation is not None and not user.organisation.is_active:
        _refuse(request, username, "organisation_inactive")
    if two_factor.enabled(user) and not two_factor.verify(user, otp or ""):
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        _refuse(request, username, "one_time_code" if otp else "one_time_code_missing")
    return _open_session(request, user, end_other_sessions=end_other_sessions)


@transaction.atomic
def _open_session(
    request: HttpRequest, user: User, *, end_other_sessions: bool
) -> tuple[User, str, datetime]:
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if end_other_sessions:
        tokens_revoke_all(user=user, by=user, reason="ended_at_sign_in")
    elif limit is not None:
        # The oldest sessions make room for the new one rather than locking the person out.
        stale = (
            AuthToken.objects.filter(user=user)
            .order_by("-created")
            .values_list("digest", flat=True)[limit - 1 :]
        )
        AuthToken.objects.filter(digest__in=list(stale)).delete()
    instance, token = AuthToken.objects.create(user=user)
    # Resets the failure count (django-axes) and records the last sign-in.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    audit_record(actor=user, action="auth.login", target=user)
    return user, token, instance.expiry


@transaction.atomic
def logout(*, token: AuthToken) -> None:
    user = token.user
    token.delete()
    audit_record(actor=user, action="auth.logout", target=user)


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    code: str | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Changes the password, with the current one (and a current code where the person has a
    second factor), and ends every session of the person, this one included. A wrong current
    password or code counts towards the lockout."""
    two_factor.confirm_identity(
        request=request,
        user=user,
        password=current_password,
        code=code,
        purpose="password_change",
        password_field="current_password",  # noqa: S106  # a field's name
    )
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from None
    return _set_password(user, new_password)


@transaction.atomic
def _set_password(user: User, new_password: str) -> int:
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = tokens_revoke_all(user=user, by=user, reason="password_changed")
    audit_record(actor=user, action="auth.password_changed", target=user)
    return ended
