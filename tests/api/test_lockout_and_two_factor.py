"""Sign-in protection: the lockout of a username from an address after repeated failures
(django-axes), and two-factor sign-in with an authenticator app and recovery codes.

Time is frozen a few seconds into a 30-second TOTP step; tests move it step by step, so every
one-time code below is worked out for a known moment and never depends on the wall clock."""

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from casework.accounts.models import RecoveryCode, RecoveryCodeDevice
from casework.audit.models import AuditEvent

from ..conftest import Api, client_for
from ..factories import PASSWORD, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
TWO_FACTOR = "/api/v1/auth/two-factor/"
CONFIRM = "/api/v1/auth/two-factor/confirm/"
DISABLE = "/api/v1/auth/two-factor/disable/"
SETTINGS = "/api/v1/organisation-settings/"
GENERIC = {"non_field_errors": ["Unable to sign in with those credentials."]}
HOME = "127.0.0.1"  # the address the test client and conftest's sign-ins come from
ELSEWHERE = "198.51.100.23"

STEP = 30
START = datetime(2027, 3, 3, 10, 0, 5, tzinfo=UTC)  # five seconds into a step


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any fixture signs anyone in, so tokens and codes share one clock."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def next_step(clock, steps: int = 1) -> None:
    clock.shift(timedelta(seconds=STEP * steps))


def sign_in(username: str, password: str = PASSWORD, *, otp=None, address: str = HOME):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return Api().post(LOGIN, body, REMOTE_ADDR=address)


def signed_in(response) -> Api:
    assert response.status_code == 200, response.json()
    api = Api()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


def code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (the clock is frozen by time-machine)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 10**device.digits:0{device.digits}d}"


def enrol(api: Api, user) -> tuple[TOTPDevice, list[str]]:
    """Sets two-factor sign-in up through the API, as the person's app would."""
    started = api.post(TWO_FACTOR)
    assert started.status_code == 201, started.json()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = api.post(CONFIRM, {"code": code(device)})
    assert confirmed.status_code == 200, confirmed.json()
    device.refresh_from_db()
    return device, confirmed.json()["recovery_codes"]


def assert_generic_refusal(response) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"] == GENERIC
    assert "token" not in body


def assert_locked_out(response) -> None:
    assert response.status_code == 429, response.json()
    body = response.json()
    assert set(body) == {"code", "message", "request_id"}
    assert body["code"] == "locked_out"
    assert "token" not in body


def fail(username: str, times: int, *, address: str = HOME) -> list:
    return [sign_in(username, "not-the-password-at-all", address=address) for _ in range(times)]


# --- lockout ------------------------------------------------------------------------------------


def test_five_failures_lock_the_username_from_that_address_even_against_the_right_password(
    caseworker,
):
    answers = fail(caseworker.username, 5)
    for answer in answers[:4]:
        assert_generic_refusal(answer)
    tokens_before = AuthToken.objects.filter(user=caseworker).count()

    sixth = sign_in(caseworker.username, PASSWORD)

    assert_locked_out(sixth)
    assert AuthToken.objects.filter(user=caseworker).count() == tokens_before


def test_four_failures_do_not_lock(caseworker):
    fail(caseworker.username, 4)
    assert sign_in(caseworker.username).status_code == 200


def test_a_lockout_does_not_spread_to_another_username_from_the_same_address(caseworker, charity):
    colleague = UserFactory(organisation=charity)
    fail(caseworker.username, 5)
    assert_locked_out(sign_in(caseworker.username))
    assert sign_in(colleague.username).status_code == 200


def test_nobody_can_lock_a_colleague_out_from_another_address(caseworker):
    fail(caseworker.username, 6, address=ELSEWHERE)
    assert_locked_out(sign_in(caseworker.username, address=ELSEWHERE))
    assert sign_in(caseworker.username, address=HOME).status_code == 200


def test_the_lockout_lasts_the_cool_off_time_and_then_ends(caseworker, clock):
    fail(caseworker.username, 5)
    clock.shift(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert_locked_out(sign_in(caseworker.username))
    clock.shift(timedelta(minutes=2))
    assert sign_in(caseworker.username).status_code == 200


def test_a_successful_sign_in_resets_the_failure_count(caseworker):
    fail(caseworker.username, 4)
    assert sign_in(caseworker.username).status_code == 200
    for answer in fail(caseworker.username, 4):
        assert_generic_refusal(answer)
    # Eight failures in all, but never five since the last success.
    assert sign_in(caseworker.username).status_code == 200


def test_unknown_username_wrong_password_and_inactive_account_get_the_same_answer(
    caseworker, charity
):
    inactive = UserFactory(organisation=charity, is_active=False)
    answers = [
        sign_in("nobody-by-this-name"),
        sign_in(caseworker.username, "wrong-password-but-long-enough"),
        sign_in(inactive.username),
    ]
    bodies = []
    for answer in answers:
        assert_generic_refusal(answer)
        body = answer.json()
        body.pop("request_id")
        bodies.append(body)
    assert bodies[0] == bodies[1] == bodies[2]


def test_sign_ins_and_failures_are_audited_without_the_password_typed(caseworker):
    typed = "Tr0ub4dor&3-typed-by-mistake"
    sign_in(caseworker.username, typed)
    sign_in("nobody-by-this-name", typed)
    sign_in(caseworker.username)

    failed = AuditEvent.objects.filter(action="auth.login_failed").order_by("id")
    assert [e.actor_id for e in failed] == [caseworker.id, None]
    assert failed[0].object_id == str(caseworker.id)
    assert failed[1].actor_label == "anonymous"
    assert AuditEvent.objects.filter(action="auth.login", actor=caseworker).exists()
    for event in AuditEvent.objects.all():
        stored = f"{event.actor_label} {event.detail} {event.object_id}"
        assert typed not in stored
        assert "nobody-by-this-name" not in stored


# --- two-factor: enrolment ----------------------------------------------------------------------


def test_enrolment_starts_with_an_otpauth_uri_for_the_authenticator_app(as_caseworker, caseworker):
    response = as_caseworker.post(TWO_FACTOR)

    assert response.status_code == 201, response.json()
    body = response.json()
    uri = urlparse(body["otpauth_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    query = parse_qs(uri.query)
    assert query["secret"] == [body["secret"]]
    assert query["issuer"] == ["Casework"]
    assert caseworker.username in uri.path
    device = TOTPDevice.objects.get(user=caseworker)
    assert device.confirmed is False
    assert device.tolerance == 0 and device.step == STEP
    # Not on until confirmed: a password alone still signs in.
    assert as_caseworker.get(TWO_FACTOR).json() == {"enabled": False, "required": False}
    assert sign_in(caseworker.username).status_code == 200


def test_confirming_with_a_wrong_code_is_refused_and_leaves_two_factor_off(
    as_caseworker, caseworker
):
    as_caseworker.post(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=caseworker)

    response = as_caseworker.post(CONFIRM, {"code": wrong(device)})

    assert response.status_code == 400
    assert "code" in response.json()["fields"]
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is False
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
    response = api.post(TWO_FACTOR)
    assert response.status_code == 409
    assert response.json()["code"] == "two_factor_enabled"
    assert TOTPDevice.objects.filter(user=caseworker).count() == 1


# --- two-factor: signing in ---------------------------------------------------------------------


@pytest.fixture
def enrolled(caseworker, clock):
    """A caseworker with two-factor sign-in on, one step after the confirming code."""
    device, codes = enrol(client_for(caseworker), caseworker)
    next_step(clock)
    return device, codes


def test_with_two_factor_on_a_password_alone_gets_no_token(caseworker, enrolled):
    response = sign_in(caseworker.username)

    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == ["otp"]
    assert "token" not in body
    assert not AuthToken.objects.filter(user=caseworker).exists()


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


# --- two-factor: turning it off -----------------------------------------------------------------


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
    assert TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()

    next_step(clock)
    done = api.post(DISABLE, {"password": PASSWORD, "code": code(device)})

    assert done.status_code == 204
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
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
    assert TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()


# --- the organisation's requirement -------------------------------------------------------------

GATED_FOR_STAFF = [
    "/api/v1/cases/",
    "/api/v1/clients/",
    "/api/v1/referrals/",
    "/api/v1/reminders/",
    "/api/v1/caseload/",
    "/api/v1/entitlements/",
    "/api/v1/me/reminder-preferences/",
]
GATED_FOR_SUPERVISORS = [
    *GATED_FOR_STAFF,
    "/api/v1/staff/",
    "/api/v1/api-keys/",
    "/api/v1/audit-events/",
    "/api/v1/reminder-policy/",
    SETTINGS,
]


def assert_enrolment_required(response) -> None:
    """Refused for want of enrolment, not for want of a role (the code is tested on its own)."""
    assert response.status_code == 403, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"code", "message", "request_id"}
    assert "two-factor" in body["message"], body


def test_a_supervisor_can_require_two_factor_for_the_organisation(as_supervisor, charity):
    response = as_supervisor.patch(SETTINGS, {"require_two_factor": True})
    assert response.status_code == 200, response.json()
    assert response.json()["require_two_factor"] is True
    charity.refresh_from_db()
    assert charity.require_two_factor is True
    assert AuditEvent.objects.filter(action="organisation.settings", organisation=charity).exists()


def test_a_caseworker_cannot_change_the_organisation_settings(as_caseworker, charity):
    assert as_caseworker.patch(SETTINGS, {"require_two_factor": True}).status_code == 403
    charity.refresh_from_db()
    assert charity.require_two_factor is False


@pytest.mark.parametrize("url", GATED_FOR_STAFF)
def test_once_required_staff_without_two_factor_are_refused_everywhere_else(
    as_supervisor, as_caseworker, url
):
    assert as_caseworker.get(url).status_code == 200
    assert as_supervisor.patch(SETTINGS, {"require_two_factor": True}).status_code == 200

    assert_enrolment_required(as_caseworker.get(url))


@pytest.mark.parametrize("url", GATED_FOR_SUPERVISORS)
def test_the_requirement_binds_the_supervisor_who_set_it_too(as_supervisor, url):
    assert as_supervisor.patch(SETTINGS, {"require_two_factor": True}).status_code == 200
    assert_enrolment_required(as_supervisor.get(url))


def test_the_enrolment_refusal_carries_the_code_two_factor_required(as_supervisor, as_caseworker):
    as_supervisor.patch(SETTINGS, {"require_two_factor": True})
    codes = {url: as_caseworker.get(url).json()["code"] for url in GATED_FOR_STAFF}
    codes[SETTINGS] = as_supervisor.get(SETTINGS).json()["code"]
    assert set(codes.values()) == {"two_factor_required"}, codes


def test_writes_are_refused_too_until_enrolment(as_supervisor, as_caseworker):
    as_supervisor.patch(SETTINGS, {"require_two_factor": True})
    response = as_caseworker.post("/api/v1/clients/", {"pseudonym": "Wren"})
    assert_enrolment_required(response)


def test_me_password_two_factor_and_logout_stay_open_during_enrolment(as_supervisor, as_caseworker):
    as_supervisor.patch(SETTINGS, {"require_two_factor": True})

    assert as_caseworker.get("/api/v1/me/").status_code == 200
    assert as_caseworker.get(TWO_FACTOR).json() == {"enabled": False, "required": True}
    password = as_caseworker.post(
        "/api/v1/auth/password/",
        {"current_password": "not-the-current-one", "new_password": "x" * 20},
    )
    assert password.status_code == 400  # reached the view: refused on its merits, not gated
    assert "current_password" in password.json()["fields"]
    assert as_caseworker.post(TWO_FACTOR).status_code == 201
    assert as_caseworker.post("/api/v1/auth/logout/").status_code == 204


def test_enrolling_lifts_the_refusal(as_supervisor, caseworker, clock):
    as_supervisor.patch(SETTINGS, {"require_two_factor": True})
    api = client_for(caseworker)
    assert_enrolment_required(api.get("/api/v1/cases/"))

    device, _ = enrol(api, caseworker)
    next_step(clock)
    api = signed_in(sign_in(caseworker.username, otp=code(device)))

    assert api.get("/api/v1/cases/").status_code == 200


def test_the_requirement_does_not_reach_another_organisation(as_supervisor, other_charity):
    outsider = client_for(UserFactory(organisation=other_charity))
    as_supervisor.patch(SETTINGS, {"require_two_factor": True})
    assert outsider.get("/api/v1/cases/").status_code == 200


# --- a supervisor's reset for a lost authenticator ----------------------------------------------


def test_a_supervisor_reset_removes_the_devices_and_ends_the_sessions(
    as_supervisor, supervisor, caseworker, enrolled
):
    device, _ = enrolled
    session = signed_in(sign_in(caseworker.username, otp=code(device)))

    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")

    assert response.status_code == 200, response.json()
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCodeDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCode.objects.filter(device__user=caseworker).exists()
    assert session.get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="auth.two_factor_removed")
    assert event.actor_id == supervisor.id
    assert event.object_id == str(caseworker.id)
    assert event.organisation_id == caseworker.organisation_id
    # Back to a password alone until they set it up again.
    assert sign_in(caseworker.username).status_code == 200


def test_only_a_supervisor_of_the_persons_own_organisation_can_reset(
    caseworker, charity, other_charity, enrolled
):
    colleague = UserFactory(organisation=charity)
    other_supervisor = client_for(SupervisorFactory(organisation=other_charity))

    by_colleague = client_for(colleague).post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")
    by_outsider = other_supervisor.post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")

    assert by_colleague.status_code == 403
    assert by_outsider.status_code == 404
    assert TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="auth.two_factor_removed").exists()


def test_a_reset_that_cannot_end_the_sessions_leaves_the_second_factor_in_place(
    as_supervisor, caseworker, enrolled, monkeypatch
):
    """Removing the devices and ending the sessions are one step: half of it never happens."""
    from casework.accounts.services import staff

    def broken(**kwargs):
        raise RuntimeError("the session store is unreachable")

    monkeypatch.setattr(staff, "tokens_revoke_all", broken)
    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")
    assert response.status_code == 500
    assert TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert RecoveryCode.objects.filter(device__user=caseworker).exists()
    assert not AuditEvent.objects.filter(action="auth.two_factor_removed").exists()
