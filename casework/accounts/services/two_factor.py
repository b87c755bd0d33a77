"""Two-factor sign-in: TOTP from an authenticator app (django-otp), with recovery codes.

Authenticator devices accept a code for its own 30-second step only, never one already used, and
keep their secret encrypted with the field keyring. Recovery codes are long random strings,
stored as hashes, used once.

Each change is one service and one transaction: the devices, the audit event and the end of
every session commit together or not at all."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from casework.accounts.principals import Principal
from casework.audit.services import audit_record
from casework.core.errors import Conflict

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


def verify(user: User, code: str) -> bool:
    """A TOTP code from a confirmed device, or an unused recovery code."""
    if not code:
        return False
    for device in AuthenticatorDevice.objects.filter(user=user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return True
    return any(
        device.verify_token(code)
        for device in RecoveryCodeDevice.objects.filter(user=user, confirmed=True)
    )


@transaction.atomic
def two_factor_enrol(*, user: User) -> AuthenticatorDevice:
    """Starts enrolment: an unconfirmed device whose secret the app scans. Any earlier
    unconfirmed device is replaced; a confirmed one must be disabled first."""
    if enabled(user):
        raise Conflict("Two-factor sign-in is already on.", code="two_factor_enabled")
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    device: AuthenticatorDevice = AuthenticatorDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    return device


@transaction.atomic
def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Confirms the pending device with a first code; returns new recovery codes, shown once.
    Every session ends with it: they were opened without the second factor."""
    device = (
        AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
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


@transaction.atomic
def two_factor_disable(*, user: User, password: str, code: str) -> None:
    """The person turns two-factor sign-in off, proving both factors; refused where their
    organisation requires it. The devices go and every session ends, together or not at all."""
    if required(user):
        raise ValidationError({"non_field_errors": ["Your organisation requires it."]})
    if not user.check_password(password):
        raise ValidationError({"password": ["This is not your password."]})
    if not verify(user, code):
        raise ValidationError({"code": ["That code is not valid."]})
    _remove(user, by=user, reason="two_factor_disabled")


@transaction.atomic
def two_factor_reset(*, user: User, by: Principal) -> None:
    """A supervisor resets the two-factor sign-in of someone who lost their authenticator: the
    devices go and every session ends; they set it up again at their next sign-in."""
    _remove(user, by=by, reason="two_factor_reset")
