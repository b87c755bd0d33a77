"""Police involvement: the charity keeps it under If-Match, the force keeps it through its own
share, and neither uses the other's endpoint."""

import pytest

from casework.sharing.models import PoliceInvolvement

from ...editing import edit
from ...factories import SharedCaseFactory
from .world import detail, involvement

pytestmark = pytest.mark.django_db


def charity_involvement(case) -> str:
    return f"/api/v1/cases/{case.id}/police-involvement/"


def test_the_first_edit_with_the_etag_of_the_first_read_succeeds(as_caseworker, case):
    read = as_caseworker.get(charity_involvement(case))
    assert read.status_code == 200
    assert read.json()["investigation_status"] == "not_started"
    response = edit(
        as_caseworker,
        charity_involvement(case),
        {"crime_reference": "13/55555/25"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["crime_reference"] == "13/55555/25"


def test_charity_edits_police_involvement_and_a_stale_etag_is_refused(
    as_caseworker, case, police_force, caseworker
):
    url = charity_involvement(case)
    first = edit(as_caseworker, url, {"police_force": str(police_force.id)}, format="json")
    assert first.status_code == 200, first.json()
    etag = as_caseworker.get(url)["ETag"]
    response = edit(
        as_caseworker,
        url,
        {"crime_reference": "13/12345/25", "investigation_status": "investigating"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["police_force"]["id"] == str(police_force.id)
    assert (body["crime_reference"], body["investigation_status"]) == (
        "13/12345/25",
        "investigating",
    )
    assert body["updated_by"] == caseworker.username
    assert response["ETag"] != etag
    stale = edit(
        as_caseworker, url, {"crime_reference": "overwrite"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412, stale.json()
    assert PoliceInvolvement.objects.get(case=case).crime_reference == "13/12345/25"


def test_the_force_keeps_police_involvement_through_its_share(
    as_caseworker, as_police, case, police_force, police_liaison
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    response = edit(
        as_police,
        involvement(share),
        {"officer_name": "DC Wren", "investigation_status": "suspect_identified"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["police_force"]["id"] == str(police_force.id)
    stored = PoliceInvolvement.objects.get(case=case)
    assert stored.police_force == police_force
    assert stored.updated_by == police_liaison
    assert (stored.officer_name, stored.investigation_status) == ("DC Wren", "suspect_identified")
    seen = as_caseworker.get(charity_involvement(case)).json()
    assert seen["officer_name"] == "DC Wren"
    assert as_police.get(detail(share)).json()["police_involvement"]["officer_name"] == "DC Wren"


def test_the_force_cannot_record_another_force_on_the_case(
    as_police, case, police_force, other_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    response = edit(
        as_police, involvement(share), {"police_force": str(other_force.id)}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "police_force" in response.json()["fields"]
    assert not PoliceInvolvement.objects.filter(case=case, police_force=other_force).exists()


def test_police_cannot_use_the_charitys_police_involvement_endpoint(as_police, case):
    assert as_police.get(charity_involvement(case)).status_code == 403
    response = edit(as_police, charity_involvement(case), {"officer_name": "x"}, format="json")
    assert response.status_code == 403
    assert not PoliceInvolvement.objects.exists()
