"""Every edit is made against the version it was read at: the record's detail answers an ETag,
an edit without If-Match is refused with 428, with a stale one 412, with a malformed, weak or
'*' one 400, all in the one error shape and with nothing changed. (The permission matrix sends
every edit route without If-Match too, so none can be left out.)"""

import pytest

from casework.clients.models import Client

from ..factories import CaseFactory, SharedCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker):
    return CaseFactory(opened_by=caseworker, pseudonym="Robin")


def client_url(case) -> str:
    return f"/api/v1/clients/{case.client_id}/"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) >= {"code", "message", "request_id"}
    return body


def test_an_edit_without_if_match_is_refused_with_428_and_changes_nothing(as_caseworker, case):
    response = as_caseworker.patch(client_url(case), {"pronouns": "they/them"}, format="json")

    body = _error(response, 428, "precondition_required")
    assert "If-Match" in body["message"]
    client = Client.objects.get(pk=case.client_id)
    assert client.pronouns != "they/them"
    assert client.version == 1


def test_the_etag_read_is_the_one_an_edit_sends_and_it_is_stale_after_the_edit(as_caseworker, case):
    read = as_caseworker.get(client_url(case))
    etag = read["ETag"]
    assert etag == f'"{case.client_id}-1"'

    edited = as_caseworker.patch(
        client_url(case), {"pronouns": "they/them"}, format="json", HTTP_IF_MATCH=etag
    )
    assert edited.status_code == 200, edited.json()
    assert edited["ETag"] == f'"{case.client_id}-2"'
    assert as_caseworker.get(client_url(case))["ETag"] == edited["ETag"]

    again = as_caseworker.patch(
        client_url(case), {"pronouns": "she/her"}, format="json", HTTP_IF_MATCH=etag
    )
    _error(again, 412, "stale_version")
    assert Client.objects.get(pk=case.client_id).pronouns == "they/them"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("*", "'*'"),
        ('W/"{id}-1"', "strong"),
        ("{id}-1", "entity tag"),
        ('"{id}-1', "entity tag"),
    ],
)
def test_a_malformed_weak_or_star_if_match_is_refused_by_field(
    as_caseworker, case, header, message
):
    response = as_caseworker.patch(
        client_url(case),
        {"pronouns": "they/them"},
        format="json",
        HTTP_IF_MATCH=header.format(id=case.client_id),
    )

    body = _error(response, 400, "validation_error")
    assert message in body["fields"]["If-Match"][0]
    assert Client.objects.get(pk=case.client_id).version == 1


def test_an_etag_of_another_record_is_stale(as_caseworker, case, caseworker):
    other = CaseFactory(opened_by=caseworker)
    response = as_caseworker.patch(
        client_url(case),
        {"pronouns": "they/them"},
        format="json",
        HTTP_IF_MATCH=f'"{other.client_id}-1"',
    )
    _error(response, 412, "stale_version")


def test_an_invisible_record_is_404_before_any_complaint_about_the_header(case, as_supervisor):
    from ..conftest import client_for
    from ..factories import UserFactory

    stranger = client_for(UserFactory(role="caseworker"))
    response = stranger.patch(client_url(case), {"pronouns": "x"}, format="json")
    assert response.status_code == 404


def test_an_edit_by_someone_else_in_between_is_not_overwritten(as_caseworker, as_supervisor, case):
    url = f"/api/v1/cases/{case.pk}/"
    etag = as_caseworker.get(url)["ETag"]
    assert as_supervisor.get(url)["ETag"] == etag

    first = as_supervisor.patch(url, {"risk_level": "high"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.json()
    second = as_caseworker.patch(url, {"risk_level": "medium"}, format="json", HTTP_IF_MATCH=etag)

    _error(second, 412, "stale_version")
    assert as_caseworker.get(url).json()["risk_level"] == "high"


def test_a_safety_plan_item_shows_the_etag_its_edit_needs(as_caseworker, case):
    plan_url = f"/api/v1/cases/{case.pk}/support-plan/"
    added = as_caseworker.post(f"{plan_url}safety-plan/", {"description": "Carry a charged phone"})
    [item] = added.json()["safety_plan"]
    url = f"{plan_url}safety-plan/{item['id']}/"

    refused = as_caseworker.patch(url, {"description": "x"}, format="json")
    _error(refused, 428, "precondition_required")
    revised = as_caseworker.patch(
        url, {"description": "Keep it charged"}, format="json", HTTP_IF_MATCH=item["etag"]
    )
    assert revised.status_code == 200, revised.json()
    [now] = revised.json()["safety_plan"]
    assert now["etag"] != item["etag"]
    assert revised["ETag"] == now["etag"]
    stale = as_caseworker.patch(
        url, {"description": "y"}, format="json", HTTP_IF_MATCH=item["etag"]
    )
    _error(stale, 412, "stale_version")


def test_settings_never_changed_are_at_their_first_version(as_supervisor, supervisor):
    read = as_supervisor.get("/api/v1/reminder-policy/")
    assert read["ETag"] == f'"{supervisor.organisation_id}-reminder-policy-1"'

    changed = as_supervisor.patch(
        "/api/v1/reminder-policy/",
        {"no_contact_after_days": 12},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200, changed.json()
    again = as_supervisor.patch(
        "/api/v1/reminder-policy/",
        {"no_contact_after_days": 14},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    _error(again, 412, "stale_version")
    assert as_supervisor.get("/api/v1/reminder-policy/").json()["no_contact_after_days"] == 12


def test_police_keep_the_investigation_under_the_etag_of_their_share(
    as_police, caseworker, police_force
):
    case = CaseFactory(opened_by=caseworker)
    share = SharedCaseFactory(case=case, police_force=police_force)
    url = f"/api/v1/shared-cases/{share.pk}/police-involvement/"

    read = as_police.get(url)
    assert read.status_code == 200, read.json()
    assert str(case.pk) not in read["ETag"]

    _error(
        as_police.patch(url, {"officer_name": "DC Wren"}, format="json"),
        428,
        "precondition_required",
    )
    kept = as_police.patch(
        url, {"officer_name": "DC Wren"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert kept.status_code == 200, kept.json()
    assert kept.json()["officer_name"] == "DC Wren"
    stale = as_police.patch(
        url, {"officer_name": "DC Rook"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    _error(stale, 412, "stale_version")
