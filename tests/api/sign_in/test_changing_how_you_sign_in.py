"""Starting two-factor enrolment, turning it off and changing the password all need the current
password, and a current code where a second factor exists; a wrong one is a failed sign-in:
recorded, and counted towards the lockout."""

import pytest

from casework.accounts.models import AuthenticatorDevice
from casework.audit.models import AuditEvent

from ...conftest import client_for
from ...factories import PASSWORD
from .world import DISABLE, TWO_FACTOR, assert_locked_out, code, next_step, sign_in, signed_in

pytestmark = pytest.mark.django_db

PASSWORD_URL = "/api/v1/auth/password/"
NEW_PASSWORD = "a-brand-new-and-long-passphrase"


def test_enrolment_needs_the_password(caseworker):
    api = client_for(caseworker)

    missing = api.post(TWO_FACTOR, {})
    wrong = api.post(TWO_FACTOR, {"password": "not-my-password-at-all"})

    assert missing.status_code == wrong.status_code == 400
    assert list(missing.json()["fields"]) == list(wrong.json()["fields"]) == ["password"]
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()
    event = AuditEvent.objects.get(action="auth.reauthentication_failed", actor=caseworker)
    assert event.detail == {"reason": "password", "purpose": "two_factor_enrol"}
    assert api.post(TWO_FACTOR, {"password": PASSWORD}).status_code == 201


def test_wrong_passwords_in_enrolment_lock_the_account_out_like_failed_sign_ins(caseworker):
    api = client_for(caseworker)
    for _ in range(5):
        api.post(TWO_FACTOR, {"password": "not-my-password-at-all"})

    assert_locked_out(api.post(TWO_FACTOR, {"password": PASSWORD}))
    assert_locked_out(sign_in(caseworker.username))
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()


def test_changing_the_password_needs_a_current_code_once_a_factor_exists(
    caseworker, enrolled, clock
):
    device, _ = enrolled
    api = signed_in(sign_in(caseworker.username, otp=code(device)))
    next_step(clock)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}

    without = api.post(PASSWORD_URL, body)

    assert without.status_code == 400
    assert list(without.json()["fields"]) == ["code"]
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="auth.reauthentication_failed", actor=caseworker)
    assert event.detail == {"reason": "one_time_code", "purpose": "password_change"}

    assert api.post(PASSWORD_URL, {**body, "code": code(device)}).status_code == 204
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW_PASSWORD)


def test_wrong_passwords_when_turning_two_factor_off_count_towards_the_lockout(
    caseworker, enrolled, clock
):
    device, _ = enrolled
    api = signed_in(sign_in(caseworker.username, otp=code(device)))
    for _ in range(5):
        api.post(DISABLE, {"password": "not-my-password-at-all", "code": "000000"})
    next_step(clock)

    assert_locked_out(api.post(DISABLE, {"password": PASSWORD, "code": code(device)}))
    assert AuthenticatorDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert AuditEvent.objects.filter(action="auth.reauthentication_failed").count() == 5
