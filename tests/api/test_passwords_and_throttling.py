"""Changing a password (the current one required, length over composition, exactly as typed,
every session ended), and the request limits per person, per API key and per address."""

import pytest
from knox.models import AuthToken

from casework.audit.models import AuditEvent

from ..conftest import Api, client_for, client_for_key
from ..factories import PASSWORD, make_api_key

pytestmark = pytest.mark.django_db

PASSWORD_URL = "/api/v1/auth/password/"
LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/me/"

PASSPHRASE = (
    "the quiet river carries small boats past old mills where herons wait and "
    "children count the slow grey barges home"
)
LONGEST = ("pale-lantern;" * 11)[:128]


def change(api: Api, new_password: str, current_password: str = PASSWORD):
    return api.post(
        PASSWORD_URL, {"current_password": current_password, "new_password": new_password}
    )


def sign_in(username: str, password: str, address: str = "127.0.0.1"):
    return Api().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def assert_field_refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields", "request_id"}
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == [field], body


# --- changing the password ----------------------------------------------------------------------


def test_a_wrong_current_password_is_refused_and_nothing_changes(as_caseworker, caseworker):
    response = change(as_caseworker, PASSPHRASE, current_password="not-my-password-at-all")

    assert_field_refused(response, "current_password")
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    assert as_caseworker.get(ME).status_code == 200
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


def test_the_current_password_is_required(as_caseworker):
    response = as_caseworker.post(PASSWORD_URL, {"new_password": PASSPHRASE})
    assert_field_refused(response, "current_password")


@pytest.mark.parametrize(
    "weak",
    [
        pytest.param("short-pass-1", id="shorter-than-15"),
        pytest.param("a" * 14, id="14-characters"),
        pytest.param("1qaz2wsx3edc4rfv", id="common-password"),
        pytest.param("qwerty123456789", id="common-password-2"),
        pytest.param("384920175038291746", id="all-digits"),
    ],
)
def test_a_weak_or_common_new_password_is_refused(as_caseworker, caseworker, weak):
    response = change(as_caseworker, weak)

    assert_field_refused(response, "new_password")
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    assert not caseworker.check_password(weak)


def test_a_password_like_the_username_is_refused(as_caseworker, caseworker):
    response = change(as_caseworker, f"{caseworker.username}@example.org")
    assert_field_refused(response, "new_password")


def test_a_word_of_the_service_is_refused(as_caseworker):
    response = change(as_caseworker, "UglyMugs2026casework")
    assert_field_refused(response, "new_password")
    assert "word" in response.json()["fields"]["new_password"][0]


def test_the_organisations_name_and_the_persons_name_are_refused(as_caseworker, caseworker):
    organisation = caseworker.organisation
    for password in (
        f"my {organisation.name} password 2026",
        f"{caseworker.last_name.upper()}-and-some-more-words",
        f"{organisation.code}-tall-trees-and-quiet-water",
    ):
        assert_field_refused(change(as_caseworker, password), "new_password")
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


def test_a_lower_case_passphrase_of_many_words_is_accepted_without_composition_rules(
    as_caseworker, caseworker
):
    assert len(PASSPHRASE.split()) >= 15 and PASSPHRASE.lower() == PASSPHRASE

    response = change(as_caseworker, PASSPHRASE)

    assert response.status_code == 204, response.content
    assert sign_in(caseworker.username, PASSPHRASE).status_code == 200


def test_a_128_character_password_works(as_caseworker, caseworker):
    assert len(LONGEST) == 128
    assert change(as_caseworker, LONGEST).status_code == 204
    assert sign_in(caseworker.username, LONGEST).status_code == 200
    assert sign_in(caseworker.username, LONGEST[:-1]).status_code == 400


def test_a_trailing_space_is_part_of_the_new_password(as_caseworker, caseworker):
    assert change(as_caseworker, PASSPHRASE + " ").status_code == 204

    assert sign_in(caseworker.username, PASSPHRASE).status_code == 400
    assert sign_in(caseworker.username, PASSPHRASE + " ").status_code == 200


def test_a_trailing_space_is_part_of_the_current_password(caseworker):
    caseworker.set_password(PASSPHRASE + " ")
    caseworker.save()
    api = Api()
    token = sign_in(caseworker.username, PASSPHRASE + " ").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert_field_refused(change(api, LONGEST, current_password=PASSPHRASE), "current_password")
    assert change(api, LONGEST, current_password=PASSPHRASE + " ").status_code == 204


def test_a_change_ends_every_session_of_the_person_this_one_too(caseworker, supervisor):
    this_session, other_session = client_for(caseworker), client_for(caseworker)
    bystander = client_for(supervisor)

    response = change(this_session, PASSPHRASE)

    assert response.status_code == 204
    assert response.content == b""
    for session in (this_session, other_session):
        after = session.get(ME)
        assert after.status_code == 401
        assert after.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=caseworker).exists()
    assert bystander.get(ME).status_code == 200
    event = AuditEvent.objects.get(action="auth.password_changed")
    assert event.actor_id == caseworker.id
    assert PASSPHRASE not in str(event.detail)
    assert sign_in(caseworker.username, PASSWORD).status_code == 400
    assert sign_in(caseworker.username, PASSPHRASE).status_code == 200


def test_an_api_key_cannot_change_a_password(as_charity_key):
    assert change(as_charity_key, PASSPHRASE).status_code == 401


# --- throttling ---------------------------------------------------------------------------------

TINY = {"person": "3/minute", "integration": "2/minute", "login": "2/minute"}


@pytest.fixture
def tiny_rates(settings):
    settings.THROTTLE_RATES = dict(TINY)


def assert_throttled(response) -> None:
    assert response.status_code == 429, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"code", "message", "request_id"}
    assert body["code"] == "throttled"
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60


def test_a_person_over_their_rate_is_refused_with_retry_after(tiny_rates, as_caseworker):
    for _ in range(3):
        assert as_caseworker.get(ME).status_code == 200
    assert_throttled(as_caseworker.get(ME))
    assert_throttled(as_caseworker.get("/api/v1/cases/"))


def test_the_person_limit_is_counted_per_person(tiny_rates, as_caseworker, as_supervisor):
    for _ in range(3):
        as_caseworker.get(ME)
    assert_throttled(as_caseworker.get(ME))

    for _ in range(3):
        assert as_supervisor.get(ME).status_code == 200


def test_the_person_limit_follows_the_person_across_sessions(tiny_rates, caseworker):
    first, second = client_for(caseworker), client_for(caseworker)
    for _ in range(3):
        assert first.get(ME).status_code == 200
    assert_throttled(second.get(ME))


def test_an_api_key_over_its_rate_is_refused_and_another_key_is_not(tiny_rates, charity):
    _, secret = make_api_key(charity)
    _, other_secret = make_api_key(charity)
    key, other_key = client_for_key(secret), client_for_key(other_secret)

    for _ in range(2):
        assert key.get(ME).status_code == 200
    assert_throttled(key.get(ME))
    for _ in range(2):
        assert other_key.get(ME).status_code == 200


def test_sign_in_attempts_are_limited_per_address(tiny_rates, caseworker, supervisor):
    here, there = "203.0.113.10", "203.0.113.77"
    assert sign_in(caseworker.username, "wrong-password-entirely", here).status_code == 400
    assert sign_in(supervisor.username, PASSWORD, here).status_code == 200

    # The address has used its attempts, whatever the username and however right the password.
    assert_throttled(sign_in(caseworker.username, PASSWORD, here))
    assert sign_in(caseworker.username, PASSWORD, there).status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_sign_in_limit(tiny_rates, caseworker):
    address = "203.0.113.10"
    for n in range(2):
        Api().post(
            LOGIN,
            {"username": caseworker.username, "password": "wrong-password-entirely"},
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = Api().post(
        LOGIN,
        {"username": caseworker.username, "password": PASSWORD},
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert_throttled(response)
