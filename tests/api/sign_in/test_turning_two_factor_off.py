"""Turning two-factor off needs the password and a current code, and is refused while the
organisation requires it."""

import pytest

from casework.accounts.models import AuthenticatorDevice, RecoveryCodeDevice
from casework.audit.models import AuditEvent

from ...factories import PASSWORD
from .world import DISABLE, code, next_step, sign_in, signed_in, wrong

pytestmark = pytest.mark.django_db


def test_disabling_needs_the_password_and_a_current_code(caseworker, enrolled, clock):
    device, _ = enrolled
    api = signed_in(sign_in(caseworker.username, otp=code(device)))
    next_step(clock)

    no_password = api.post(DISABLE, {"password": "not-my-password-at-all", "code": code(device)})
    assert no_password.status_code == 400
    assert "password" in no_password.json()["fields"]
    no_code = api.post(DISABLE, {"password": PASSWORD, "code": wrong(device)})
    assert no_code.status_code == 400
    assert "code" in no_code.json()["fields"]
    assert AuthenticatorDevice.objects.filter(user=caseworker, confirmed=True).exists()

    next_step(clock)
    done = api.post(DISABLE, {"password": PASSWORD, "code": code(device)})

    assert done.status_code == 204
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCodeDevice.objects.filter(user=caseworker).exists()
    assert api.get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="auth.two_factor_removed")
    assert event.actor_id == caseworker.id and event.object_id == str(caseworker.id)
    assert sign_in(caseworker.username).status_code == 200


def test_disabling_is_refused_while_the_organisation_requires_two_factor(
    caseworker, charity, enrolled, clock
):
    device, _ = enrolled
    api = signed_in(sign_in(caseworker.username, otp=code(device)))
    charity.require_two_factor = True
    charity.save()
    next_step(clock)

    response = api.post(DISABLE, {"password": PASSWORD, "code": code(device)})

    assert response.status_code == 400
    assert AuthenticatorDevice.objects.filter(user=caseworker, confirmed=True).exists()
