"""Supervisors manage the people of their own organisation; nobody else does."""

import pytest
from knox.models import AuthToken

from casework.accounts.models import User

from ..conftest import client_for
from ..editing import edit
from ..factories import PASSWORD, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = {"username": "new.caseworker", "email": "new.caseworker@example.org", "role": "isva"}


def test_supervisor_adds_staff_to_their_own_organisation(as_supervisor, charity):
    response = as_supervisor.post("/api/v1/staff/", NEW)
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"]["id"] == str(charity.id)
    assert "password" not in response.json()
    created = User.objects.get(username="new.caseworker")
    assert created.organisation == charity and created.role == "isva"
    assert not created.has_usable_password()


def test_a_supervisor_cannot_choose_a_new_colleagues_password(as_supervisor):
    response = as_supervisor.post("/api/v1/staff/", {**NEW, "password": "a-fine-long-passphrase"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["password"]
    assert not User.objects.filter(username="new.caseworker").exists()


def test_a_police_role_in_a_charity_is_refused(as_supervisor):
    response = as_supervisor.post("/api/v1/staff/", {**NEW, "role": "police_liaison"})
    assert response.status_code == 400
    assert "role" in response.json()["fields"]
    assert not User.objects.filter(username="new.caseworker").exists()


def test_an_unknown_role_is_refused(as_supervisor):
    response = as_supervisor.post("/api/v1/staff/", {**NEW, "role": "wizard"})
    assert response.status_code == 400
    assert "role" in response.json()["fields"]


def test_a_duplicate_username_is_refused_whatever_its_case(as_supervisor, caseworker):
    response = as_supervisor.post(
        "/api/v1/staff/", {**NEW, "username": caseworker.username.upper()}
    )
    assert response.status_code == 400
    assert "username" in response.json()["fields"]
    assert User.objects.filter(username__iexact=caseworker.username).count() == 1


def test_supervisor_cannot_add_staff_to_another_organisation(as_supervisor, other_charity):
    response = as_supervisor.post("/api/v1/staff/", {**NEW, "organisation": str(other_charity.id)})
    assert response.status_code == 400
    assert "organisation" in response.json()["fields"]
    assert not User.objects.filter(username="new.caseworker").exists()


def test_superuser_adds_staff_to_a_named_organisation(as_superuser, police_force):
    missing = as_superuser.post("/api/v1/staff/", {**NEW, "role": "police_liaison"})
    assert missing.status_code == 400
    response = as_superuser.post(
        "/api/v1/staff/",
        {**NEW, "role": "police_liaison", "organisation": str(police_force.id)},
    )
    assert response.status_code == 201
    assert response.json()["organisation"]["kind"] == "police"


def test_supervisor_sees_only_their_organisations_staff(as_supervisor, supervisor, caseworker):
    outsider = UserFactory()
    response = as_supervisor.get("/api/v1/staff/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {str(supervisor.id), str(caseworker.id)}
    assert as_supervisor.get(f"/api/v1/staff/{outsider.id}/").status_code == 404
    assert edit(as_supervisor, f"/api/v1/staff/{outsider.id}/", {"role": "isva"}).status_code == 404


@pytest.mark.parametrize("fixture", ["as_caseworker", "as_isva", "as_police"])
def test_other_roles_may_not_manage_staff(request, fixture, caseworker):
    client = request.getfixturevalue(fixture)
    assert client.get("/api/v1/staff/").status_code == 403
    assert client.post("/api/v1/staff/", NEW).status_code == 403


def test_supervisor_changes_a_role_within_the_organisations_kind(as_supervisor, caseworker):
    ok = edit(as_supervisor, f"/api/v1/staff/{caseworker.id}/", {"role": "isva"})
    assert ok.status_code == 200 and ok.json()["role"] == "isva"
    refused = edit(as_supervisor, f"/api/v1/staff/{caseworker.id}/", {"role": "police_liaison"})
    assert refused.status_code == 400
    caseworker.refresh_from_db()
    assert caseworker.role == "isva"


def test_deactivation_ends_sessions_and_reactivation_allows_login(as_supervisor, caseworker):
    their_client = client_for(caseworker)
    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert their_client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=caseworker).exists()
    login = {"username": caseworker.username, "password": PASSWORD}
    assert their_client.post("/api/v1/auth/login/", login).status_code == 400
    assert as_supervisor.post(f"/api/v1/staff/{caseworker.id}/activate/").status_code == 200
    assert their_client.post("/api/v1/auth/login/", login).status_code == 200


def test_a_supervisor_cannot_deactivate_themselves(as_supervisor, supervisor):
    response = as_supervisor.post(f"/api/v1/staff/{supervisor.id}/deactivate/")
    assert response.status_code == 409
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_supervisor_revokes_someones_tokens(as_supervisor, caseworker):
    their_client = client_for(caseworker)
    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/revoke-tokens/")
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert their_client.get("/api/v1/me/").status_code == 401


def test_staff_list_paginates_with_a_cursor(as_supervisor, charity):
    for _ in range(4):
        UserFactory(organisation=charity)
    first = as_supervisor.get("/api/v1/staff/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = as_supervisor.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_staff_list_query_count_does_not_grow_with_the_page(
    as_supervisor, charity, django_assert_num_queries
):
    SupervisorFactory(organisation=charity)
    with django_assert_num_queries(2) as small:
        as_supervisor.get("/api/v1/staff/?page_size=1")
    for _ in range(30):
        UserFactory(organisation=charity)
    with django_assert_num_queries(len(small.captured_queries)):
        response = as_supervisor.get("/api/v1/staff/?page_size=30")
    assert len(response.json()["results"]) == 30
