"""Signing in as a client would, and the one-time codes an authenticator app would show."""

from datetime import UTC, datetime, timedelta

from django_otp.oath import totp

from casework.accounts.models import AuthenticatorDevice

from ...conftest import Api
from ...factories import PASSWORD

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


def code(device: AuthenticatorDevice) -> str:
    """The code an authenticator app shows now (the clock is frozen by time-machine)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def wrong(device: AuthenticatorDevice) -> str:
    return f"{(int(code(device)) + 1) % 10**device.digits:0{device.digits}d}"


def enrol(api: Api, user) -> tuple[AuthenticatorDevice, list[str]]:
    """Sets two-factor sign-in up through the API, as the person's app would."""
    started = api.post(TWO_FACTOR, {"password": PASSWORD})
    assert started.status_code == 201, started.json()
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
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
