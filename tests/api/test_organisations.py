"""Organisations are a superuser's business."""

import pytest

from casework.accounts.models import Organisation

from ..editing import edit

pytestmark = pytest.mark.django_db


def test_superuser_creates_and_renames_an_organisation(as_superuser):
    created = as_superuser.post(
        "/api/v1/organisations/", {"name": "POW Nottingham", "code": "POW", "kind": "charity"}
    )
    assert created.status_code == 201, created.json()
    org_id = created.json()["id"]
    renamed = edit(as_superuser, f"/api/v1/organisations/{org_id}/", {"name": "POW"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "POW"
    assert renamed.json()["kind"] == "charity"


def test_the_kind_cannot_be_changed_through_the_api(as_superuser, charity):
    """Refused by name rather than silently ignored, so nobody believes it changed."""
    response = edit(as_superuser, f"/api/v1/organisations/{charity.id}/", {"kind": "police"})
    charity.refresh_from_db()
    assert charity.kind == "charity"
    assert response.status_code == 400
    assert response.json()["fields"] == {"kind": ["This field is not accepted here."]}


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"name": "X", "code": "pow", "kind": "charity"}, "code"),
        ({"name": "X", "code": "POW", "kind": "council"}, "kind"),
        ({"code": "POW", "kind": "charity"}, "name"),
    ],
)
def test_bad_organisations_are_refused_per_field(as_superuser, payload, field):
    response = as_superuser.post("/api/v1/organisations/", payload)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Organisation.objects.filter(code__iexact="POW").exists()


def test_duplicate_codes_are_refused(as_superuser, charity):
    response = as_superuser.post(
        "/api/v1/organisations/", {"name": "Another", "code": charity.code, "kind": "charity"}
    )
    assert response.status_code == 400
    assert "code" in response.json()["fields"]


@pytest.mark.parametrize(
    "fixture", ["as_supervisor", "as_caseworker", "as_police", "as_charity_key"]
)
def test_nobody_else_manages_organisations(request, fixture):
    client = request.getfixturevalue(fixture)
    assert client.get("/api/v1/organisations/").status_code in (401, 403)
    response = client.post("/api/v1/organisations/", {"name": "X", "code": "XX", "kind": "charity"})
    assert response.status_code in (401, 403)
    assert not Organisation.objects.filter(code="XX").exists()
