"""Supervisors create and revoke their organisation's API keys; the secret is shown once."""

import pytest

from casework.accounts.models import ApiKey

from ..conftest import client_for_key
from ..factories import make_api_key

pytestmark = pytest.mark.django_db


def test_supervisor_creates_a_key_that_works_and_is_shown_once(as_supervisor, charity):
    response = as_supervisor.post(
        "/api/v1/api-keys/", {"name": "Reporting form", "scopes": ["referrals:write"]}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organisation"]["id"] == str(charity.id)
    me = client_for_key(body["key"]).get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["scopes"] == ["referrals:write"]
    listed = as_supervisor.get("/api/v1/api-keys/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert "key" not in as_supervisor.get(f"/api/v1/api-keys/{body['id']}/").json()


def test_revoking_a_key_stops_it_at_once(as_supervisor, charity):
    api_key, secret = make_api_key(charity)
    assert client_for_key(secret).get("/api/v1/me/").status_code == 200
    response = as_supervisor.post(f"/api/v1/api-keys/{api_key.public_id}/revoke/")
    assert response.status_code == 200 and response.json()["revoked"] is True
    assert client_for_key(secret).get("/api/v1/me/").status_code == 401
    again = as_supervisor.post(f"/api/v1/api-keys/{api_key.public_id}/revoke/")
    assert again.status_code == 409


@pytest.mark.parametrize(
    "scopes", [[], ["shared-cases:read"], ["referrals:write", "admin:everything"]]
)
def test_scopes_must_be_known_and_fit_the_organisation(as_supervisor, scopes):
    response = as_supervisor.post("/api/v1/api-keys/", {"name": "x", "scopes": scopes})
    assert response.status_code == 400
    assert "scopes" in response.json()["fields"]
    assert not ApiKey.objects.exists()


def test_an_expiry_in_the_past_is_refused(as_supervisor):
    response = as_supervisor.post(
        "/api/v1/api-keys/",
        {"name": "x", "scopes": ["referrals:write"], "expires_at": "2020-01-01T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()["fields"]


def test_another_organisations_keys_are_invisible(as_supervisor, other_charity):
    foreign, _ = make_api_key(other_charity)
    assert as_supervisor.get("/api/v1/api-keys/").json()["results"] == []
    assert as_supervisor.get(f"/api/v1/api-keys/{foreign.public_id}/").status_code == 404
    assert as_supervisor.post(f"/api/v1/api-keys/{foreign.public_id}/revoke/").status_code == 404
    foreign.refresh_from_db()
    assert not foreign.revoked


@pytest.mark.parametrize("fixture", ["as_caseworker", "as_isva", "as_police"])
def test_other_roles_may_not_manage_keys(request, fixture):
    client = request.getfixturevalue(fixture)
    assert client.get("/api/v1/api-keys/").status_code == 403
    response = client.post("/api/v1/api-keys/", {"name": "x", "scopes": ["referrals:write"]})
    assert response.status_code == 403
    assert not ApiKey.objects.exists()
