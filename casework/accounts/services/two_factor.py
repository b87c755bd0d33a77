"""Two-factor sign-in: TOTP from an authenticator app (django-otp), with recovery codes.

TOTP devices accept a code for its own 30-second step only (tolerance 0), and django-otp refuses
a code already used. Recovery codes are long random strings, stored as hashes, used once.

Each change is one service and one transaction: the devices, the audit event and the end of
every session commit together or not at all."""

import secrets

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device

from casework.accounts.principals import Principal
from casework.audit.services import audit_record
from casework.core.errors import Conflict, LockedOut

from ..models import (
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
    hash_recovery_code,
)
from . import staff

RECOVERY_CODES = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(24))  # 120 bits
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def enabled(user: User) -> bool:
    confirmed: bool = AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()
    return confirmed


def required(user: User) -> bool:
    return bool(user.organisation is not None and user.organisation.require_two_factor)


def pending_enrolment(user: User) -> bool:
    """The organisation requires two factors and this person has not set them up yet."""
    return required(user) and not enabled(user)


def verified_device(user: User, code: str) -> Device | None:
    """The device that accepts ``code``: a confirmed TOTP device for a current code, or the
    recovery codes for an unused one (which it uses up)."""
    if not code:
        return None
    for totp in AuthenticatorDevice.objects.filter(user=user, confirmed=True):
        if totp.verify_is_allowed()[0] and totp.verify_token(code):
            return totp
    for recovery in RecoveryCodeDevice.objects.filter(user=user, confirmed=True):
        if recovery.verify_token(code):
            return recovery
    return None


def verify(user: User, code: str) -> bool:
    """A TOTP code from a confirmed device, or an unused recovery code."""
    return verified_device(user, code) is not None


def confirmed_device(user: User) -> AuthenticatorDevice:
    device: AuthenticatorDevice = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    return device


def pending_device(user: User) -> AuthenticatorDevice | None:
    device: AuthenticatorDevice | None = AuthenticatorDevice.objects.filter(
        user=user, confirmed=False
    ).first()
    return device


def confirm_identity(
    *,
    request: HttpRequest | None,
    user: User,
    password: str,
    code: str | None = None,
    purpose: str,
    password_field: str = "password",  # noqa: S107  # a field's name, not a password
    code_field: str = "code",
) -> None:
    """Asks a signed-in person for their password again (and a current code where they have a
    second factor) before a change to how they sign in. It is a sign-in check like any other:
    a locked-out username and address are refused, and a wrong password or code counts towards
    the lockout (django-axes) and is recorded. Called outside any transaction, so that the count
    and the record survive the refusal."""
    credentials = {"username": user.username}
    if request is not None and AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut("Too many failed sign-ins. Try again later.")
    if not user.check_password(password):
        _refuse_identity(request, user, purpose, "password")
        raise ValidationError({password_field: ["This is not your current password."]})
    if enabled(user) and not verify(user, code or ""):
        _refuse_identity(request, user, purpose, "one_time_code")
        raise ValidationError(
            {code_field: ["Enter a current code from your authenticator app (or a recovery code)."]}
        )


def _refuse_identity(request: HttpRequest | None, user: User, purpose: str, reason: str) -> None:
    if request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
    audit_record(
        actor=user,
        action="auth.reauthentication_failed",
        target=user,
        organisation=user.organisation,
        detail={"reason": reason, "purpose": purpose},
    )
    if request is not None and AxesProxyHandler.is_locked(request, {"username": user.username}):
        raise LockedOut("Too many failed sign-ins. Try again later.")


def two_factor_enrol(
    *, user: User, password: str, request: HttpRequest | None
) -> AuthenticatorDevice:
    """Starts enrolment, with the person's password: an unconfirmed device whose secret the app
    scans. Any earlier unconfirmed device is replaced; a confirmed one must be disabled first."""
    if enabled(user):
        raise Conflict("Two-factor sign-in is already on.", code="two_factor_enabled")
    confirm_identity(request=request, user=user, password=password, purpose="two_factor_enrol")
    return _start_enrolment(user)


@transaction.atomic
def _start_enrolment(user: User) -> AuthenticatorDevice:
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    device: AuthenticatorDevice = AuthenticatorDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    audit_record(
        actor=user,
        action="auth.two_factor_enrolment_started",
        target=user,
        organisation=user.organisation,
    )
    return device


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Confirms the pending device with a first code; returns new recovery codes, shown once.
    Every session ends with it: they were opened without the second factor."""
    device = (
        AuthenticatorDevice.objects.select_for_update(no_key=True)
        .filter(user=user, confirmed=False)
        .first()
    )
    if device is None:
        raise Conflict("Start enrolment first.", code="no_pending_device")
    if not device.verify_token(code):
        raise ValidationError({"code": ["That code is not valid; check the time on your device."]})
    device.confirmed = True
    device.save()
    codes = _replace_recovery_codes(user)
    audit_record(actor=user, action="auth.two_factor_enabled", target=user)
    staff.tokens_revoke_all(user=user, by=user, reason="two_factor_enabled")
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=hash_recovery_code(c)) for c in codes]
    )
    return codes


def _remove(user: User, *, by: Principal, reason: str) -> None:
    AuthenticatorDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit_record(
        actor=by, action="auth.two_factor_removed", target=user, organisation=user.organisation
    )
    staff.tokens_revoke_all(user=user, by=by, reason=reason)


def two_factor_disable(
    *, user: User, password: str, code: str, request: HttpRequest | None = None
) -> None:
    """The person turns two-factor sign-in off, proving both factors; refused where their
    organisation requires it. The devices go and every session ends, together or not at all."""
    if required(user):
        raise ValidationError({"non_field_errors": ["Your organisation requires it."]})
    confirm_identity(
        request=request, user=user, password=password, code=code, purpose="two_factor_disable"
    )
    with transaction.atomic():
        _remove(user, by=user, reason="two_factor_disabled")


@transaction.atomic
def two_factor_reset(*, user: User, by: Principal) -> None:
    """A supervisor resets the two-factor sign-in of someone who lost their authenticator: the
    devices go and every session ends; they set it up again at their next sign-in."""
    _remove(user, by=by, reason="two_factor_reset")
