"""Signing in and out with expiring tokens; API keys for machines; ``me``."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from knox.models import AuthToken

from casework.accounts.services.staff import staff_set_active
from casework.audit.models import AuditEvent

from ..conftest import Api, client_for, client_for_key
from ..factories import PASSWORD, make_api_key

pytestmark = pytest.mark.django_db


def test_login_returns_a_token_that_works_for_me(caseworker):
    client = Api()
    response = client.post(
        "/api/v1/auth/login/", {"username": caseworker.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["me"]["username"] == caseworker.username
    assert body["me"]["role"] == "caseworker"
    assert body["me"]["organisation"]["kind"] == "charity"
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["id"] == str(caseworker.id)
    assert me.json()["kind"] == "person"


def test_username_is_case_insensitive_at_login(caseworker):
    response = Api().post(
        "/api/v1/auth/login/", {"username": caseworker.username.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("password", ["wrong-password-entirely", PASSWORD + " ", " " + PASSWORD])
def test_wrong_password_gives_one_generic_message(caseworker, password):
    response = Api().post(
        "/api/v1/auth/login/", {"username": caseworker.username, "password": password}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"] == {"non_field_errors": ["Unable to sign in with those credentials."]}
    assert "token" not in body


def test_unknown_and_inactive_users_get_the_same_answer_as_a_wrong_password(caseworker):
    unknown = Api().post("/api/v1/auth/login/", {"username": "nobody", "password": PASSWORD})
    caseworker.is_active = False
    caseworker.save()
    inactive = Api().post(
        "/api/v1/auth/login/", {"username": caseworker.username, "password": PASSWORD}
    )
    assert unknown.status_code == inactive.status_code == 400
    assert unknown.json()["fields"] == inactive.json()["fields"]


def test_login_with_missing_fields_names_each_field():
    response = Api().post("/api/v1/auth/login/", {})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_logout_revokes_the_token(caseworker):
    client = client_for(caseworker)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.post("/api/v1/auth/logout/").status_code == 204
    after = client.get("/api/v1/me/")
    assert after.status_code == 401
    assert after.json()["code"] == "authentication_failed"


def test_signing_out_tells_the_browser_to_forget_the_site(caseworker):
    response = client_for(caseworker).post("/api/v1/auth/logout/")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_a_sign_in_can_end_every_other_session_of_the_person(caseworker):
    earlier = [client_for(caseworker) for _ in range(2)]
    body = {"username": caseworker.username, "password": PASSWORD, "end_other_sessions": True}

    response = Api().post("/api/v1/auth/login/", body)

    assert response.status_code == 200, response.json()
    assert [c.get("/api/v1/me/").status_code for c in earlier] == [401, 401]
    assert AuthToken.objects.filter(user=caseworker).count() == 1
    event = AuditEvent.objects.get(action="auth.tokens_revoked", actor=caseworker)
    assert event.detail == {"sessions": 2, "calendar_feeds": 0, "reason": "ended_at_sign_in"}


def test_a_sign_in_keeps_other_sessions_unless_asked(caseworker):
    earlier = client_for(caseworker)
    body = {"username": caseworker.username, "password": PASSWORD, "end_other_sessions": "yes"}
    assert Api().post("/api/v1/auth/login/", body).status_code == 400
    assert (
        Api().post("/api/v1/auth/login/", {**body, "end_other_sessions": False}).status_code == 200
    )
    assert earlier.get("/api/v1/me/").status_code == 200


def test_token_expires_when_idle(caseworker):
    client = client_for(caseworker)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get("/api/v1/me/").status_code == 401


def test_token_use_slides_the_idle_expiry_but_not_past_the_absolute_lifetime(caseworker):
    client = client_for(caseworker)
    start = timezone.now()
    # Used every 20 minutes, the token outlives the 30-minute idle window...
    for minutes in range(20, 9 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/api/v1/me/").status_code == 200, minutes
    # ...but never its 10-hour absolute lifetime.
    with time_machine.travel(start + timedelta(hours=10, minutes=1)):
        assert client.get("/api/v1/me/").status_code == 401


def test_deactivating_a_user_revokes_all_their_tokens(caseworker, supervisor):
    first, second = client_for(caseworker), client_for(caseworker)
    assert AuthToken.objects.filter(user=caseworker).count() == 2
    staff_set_active(user=caseworker, active=False, changed_by=supervisor)
    assert AuthToken.objects.filter(user=caseworker).count() == 0
    assert first.get("/api/v1/me/").status_code == 401
    assert second.get("/api/v1/me/").status_code == 401


def test_a_forged_token_is_refused():
    client = Api()
    client.credentials(HTTP_AUTHORIZATION="Token " + "a" * 64)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_everything_but_login_requires_authentication(anonymous):
    response = anonymous.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_api_key_identifies_an_integration_of_its_organisation(charity):
    _, secret = make_api_key(charity)
    response = client_for_key(secret).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "integration"
    assert body["organisation"]["id"] == str(charity.id)
    assert body["scopes"] == ["referrals:write"]
    assert body["role"] is None


def test_api_key_is_stored_only_as_a_hash(charity):
    api_key, secret = make_api_key(charity)
    api_key.refresh_from_db()
    assert secret not in api_key.hashed_key
    assert secret not in api_key.id
    assert secret.split(".", 1)[1] not in api_key.hashed_key


def test_revoked_and_expired_api_keys_are_refused(charity):
    from casework.accounts.services.api_keys import api_key_revoke

    revoked, revoked_secret = make_api_key(charity)
    api_key_revoke(api_key=revoked, by="test-suite")
    _, expiring_secret = make_api_key(charity, expires_at=timezone.now() + timedelta(days=1))
    assert client_for_key(revoked_secret).get("/api/v1/me/").status_code == 401
    assert client_for_key(expiring_secret).get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert client_for_key(expiring_secret).get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("header", ["Api-Key", "Api-Key nodot", "Api-Key a.b c", "Api-Key \xe9.x"])
def test_malformed_api_key_headers_are_refused(db, header):
    client = Api()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/me/").status_code == 401


def test_api_keys_cannot_use_person_only_endpoints(charity_key):
    client = client_for_key(charity_key[1])
    assert client.get("/api/v1/staff/").status_code == 401
    assert client.post("/api/v1/auth/logout/").status_code == 401


def test_login_keeps_at_most_the_configured_number_of_sessions(caseworker, settings):
    for _ in range(7):
        client_for(caseworker)
    assert AuthToken.objects.filter(user=caseworker).count() == 5
