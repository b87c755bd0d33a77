"""Signing in with two-factor on: a current code once, or a recovery code once, and wrong codes
counting towards the lockout."""

import hashlib
from datetime import timedelta

import pytest
from knox.models import AuthToken

from casework.accounts.models import RecoveryCode, RecoveryCodeDevice
from casework.audit.models import AuditEvent

from .world import (
    STEP,
    assert_generic_refusal,
    assert_locked_out,
    code,
    next_step,
    sign_in,
    signed_in,
    wrong,
)

pytestmark = pytest.mark.django_db


def test_with_two_factor_on_a_password_alone_is_refused_like_a_wrong_password(caseworker, enrolled):
    right_password = sign_in(caseworker.username)
    wrong_password = sign_in(caseworker.username, "not-the-password-at-all")

    assert_generic_refusal(right_password)
    assert right_password.json()["fields"] == wrong_password.json()["fields"]
    assert right_password.json()["message"] == wrong_password.json()["message"]
    assert not AuthToken.objects.filter(user=caseworker).exists()
    reasons = AuditEvent.objects.filter(action="auth.login_failed").values_list("detail", flat=True)
    assert {"reason": "one_time_code_missing"} in list(reasons)


def test_a_password_alone_counts_towards_the_lockout_once_two_factor_is_on(caseworker, enrolled):
    device, _ = enrolled
    for _ in range(5):
        sign_in(caseworker.username)
    assert_locked_out(sign_in(caseworker.username, otp=code(device)))


def test_a_current_code_signs_in(caseworker, enrolled):
    device, _ = enrolled
    api = signed_in(sign_in(caseworker.username, otp=code(device)))
    assert api.get("/api/v1/me/").json()["username"] == caseworker.username
    assert AuditEvent.objects.filter(action="auth.login", actor=caseworker).exists()


def test_a_wrong_code_with_the_right_password_is_refused_like_a_wrong_password(
    caseworker, enrolled
):
    device, _ = enrolled
    assert_generic_refusal(sign_in(caseworker.username, otp=wrong(device)))
    event = AuditEvent.objects.filter(action="auth.login_failed", actor=caseworker).get()
    assert event.detail == {"reason": "one_time_code"}


def test_a_code_cannot_be_used_twice(caseworker, enrolled, clock):
    device, _ = enrolled
    used = code(device)
    assert sign_in(caseworker.username, otp=used).status_code == 200
    clock.shift(timedelta(seconds=2))  # past django-otp's own throttle, still in the same step

    replayed = sign_in(caseworker.username, otp=used)

    assert_generic_refusal(replayed)
    assert AuthToken.objects.filter(user=caseworker).count() == 1


def test_a_code_from_the_previous_step_is_refused(caseworker, enrolled, clock):
    device, _ = enrolled
    next_step(clock, 4)
    clock.shift(timedelta(seconds=-STEP))
    previous = code(device)  # never used: only the tolerance can refuse it
    clock.shift(timedelta(seconds=STEP))
    assert previous != code(device)

    assert_generic_refusal(sign_in(caseworker.username, otp=previous))

    clock.shift(timedelta(seconds=2))  # past django-otp's throttle after one failure
    assert sign_in(caseworker.username, otp=code(device)).status_code == 200


def test_a_recovery_code_signs_in_once(caseworker, enrolled):
    _, codes = enrolled
    api = signed_in(sign_in(caseworker.username, otp=codes[0]))
    assert api.get("/api/v1/me/").status_code == 200

    assert_generic_refusal(sign_in(caseworker.username, otp=codes[0]))
    assert RecoveryCode.objects.filter(device__user=caseworker).count() == 9
    # The others still work.
    assert sign_in(caseworker.username, otp=codes[1]).status_code == 200


def test_recovery_codes_are_stored_only_as_sha256_hashes(caseworker, enrolled):
    _, codes = enrolled
    rows = list(RecoveryCode.objects.filter(device__user=caseworker).values())
    devices = list(RecoveryCodeDevice.objects.filter(user=caseworker).values())

    assert len(rows) == 10
    expected = {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert {row["code_hash"] for row in rows} == expected
    stored = " ".join(str(value) for row in rows + devices for value in row.values())
    for recovery_code in codes:
        assert recovery_code not in stored
        assert recovery_code.replace("-", "") not in stored
        assert recovery_code.replace("-", "").lower() not in stored


def test_recovery_codes_carry_at_least_112_bits(enrolled):
    _, codes = enrolled
    alphabet = set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    for recovery_code in codes:
        symbols = recovery_code.replace("-", "")
        assert set(symbols) <= alphabet
        assert len(symbols) * 5 >= 112


def test_wrong_one_time_codes_count_towards_the_lockout(caseworker, enrolled, clock):
    device, _ = enrolled
    for _ in range(5):
        clock.shift(timedelta(seconds=STEP))
        sign_in(caseworker.username, otp=wrong(device))
    next_step(clock)

    response = sign_in(caseworker.username, otp=code(device))

    assert_locked_out(response)
    assert not AuthToken.objects.filter(user=caseworker).exists()
    reasons = [
        e.detail["reason"]
        for e in AuditEvent.objects.filter(action="auth.login_failed", actor=caseworker)
    ]
    assert reasons.count("one_time_code") >= 5
