"""Enrolling an authenticator app: an otpauth URI, a confirming code, ten recovery codes, and
every other session ended."""

from urllib.parse import parse_qs, urlparse

import pytest
from knox.models import AuthToken

from casework.accounts.models import AuthenticatorDevice, RecoveryCode
from casework.audit.models import AuditEvent

from ...conftest import client_for
from ...factories import PASSWORD
from .world import CONFIRM, STEP, TWO_FACTOR, code, enrol, next_step, sign_in, signed_in, wrong

pytestmark = pytest.mark.django_db


def test_enrolment_starts_with_an_otpauth_uri_for_the_authenticator_app(as_caseworker, caseworker):
    response = as_caseworker.post(TWO_FACTOR, {"password": PASSWORD})

    assert response.status_code == 201, response.json()
    body = response.json()
    uri = urlparse(body["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    query = parse_qs(uri.query)
    assert query["secret"] == [body["secret"]]
    assert query["issuer"] == ["Casework"]
    assert caseworker.username in uri.path
    device = AuthenticatorDevice.objects.get(user=caseworker)
    assert device.confirmed is False
    assert device.tolerance == 0 and device.step == STEP
    # Not on until confirmed: a password alone still signs in.
    assert as_caseworker.get(TWO_FACTOR).json() == {"enabled": False, "required": False}
    assert sign_in(caseworker.username).status_code == 200


def test_confirming_with_a_wrong_code_is_refused_and_leaves_two_factor_off(
    as_caseworker, caseworker
):
    as_caseworker.post(TWO_FACTOR, {"password": PASSWORD})
    device = AuthenticatorDevice.objects.get(user=caseworker)

    response = as_caseworker.post(CONFIRM, {"code": wrong(device)})

    assert response.status_code == 400
    assert "code" in response.json()["fields"]
    assert AuthenticatorDevice.objects.get(pk=device.pk).confirmed is False
    assert not RecoveryCode.objects.filter(device__user=caseworker).exists()
    assert not AuditEvent.objects.filter(action="auth.two_factor_enabled").exists()


def test_confirming_gives_ten_recovery_codes_and_ends_every_other_session(caseworker):
    this_session = client_for(caseworker)
    other_session = client_for(caseworker)
    assert other_session.get("/api/v1/me/").status_code == 200

    device, codes = enrol(this_session, caseworker)

    assert device.confirmed is True
    assert len(codes) == 10 and len(set(codes)) == 10
    assert other_session.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=caseworker).exists()
    event = AuditEvent.objects.get(action="auth.two_factor_enabled")
    assert event.actor_id == caseworker.id and event.object_id == str(caseworker.id)


def test_enrolling_again_while_two_factor_is_on_is_refused(caseworker, clock):
    device, _ = enrol(client_for(caseworker), caseworker)
    next_step(clock)
    api = signed_in(sign_in(caseworker.username, otp=code(device)))
    response = api.post(TWO_FACTOR, {"password": PASSWORD})
    assert response.status_code == 409
    assert response.json()["code"] == "two_factor_enabled"
    assert AuthenticatorDevice.objects.filter(user=caseworker).count() == 1
