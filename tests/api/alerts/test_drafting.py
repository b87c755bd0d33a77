"""Drafting an alert from a case: only with the client's warn_others consent, never carrying
anything of the client, and every identifier readable; refused with nothing kept otherwise."""

import pytest

from casework.alerts.models import Alert, AlertIdentifier

from ..police_sharing.world import (
    AREA,
    EMAIL,
    LEGAL_NAME,
    PHONE,
    PHONE_E164,
    PSEUDONYM,
    consent,
    open_case,
)
from .world import DESCRIPTION, OFFENDER_PHONE_E164, draft, drafted

pytestmark = pytest.mark.django_db

REFUSED = "identifies the person who reported"


def _refused_on(response, field: str, *hidden: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert REFUSED in body["fields"][field][0]
    for value in hidden:
        assert value.lower() not in response.content.decode().lower()
    assert not Alert.objects.exists()


def test_a_draft_keeps_the_week_normalised_identifiers_and_the_link_to_its_case(
    as_caseworker, case
):
    alert = drafted(as_caseworker, case, happened_on="2026-11-26")
    assert alert["status"] == "draft"
    assert alert["week_of"] == "2026-11-23"  # the Monday: never the day
    assert alert["area"] == AREA
    assert alert["reference"].startswith("AL-")
    assert {(i["kind"], i["value"]) for i in alert["identifiers"]} == {
        ("phone", OFFENDER_PHONE_E164),
        ("email", "dangerous.punter@example.com"),
        ("vehicle", "YX21ABC"),
    }
    stored = Alert.objects.get(pk=alert["id"])
    assert stored.case_id == case.id
    assert AlertIdentifier.objects.filter(alert=stored).count() == 3


def test_a_draft_quoting_the_clients_pseudonym_is_refused(as_caseworker, case):
    response = draft(as_caseworker, case, what_happened=f"He called her {PSEUDONYM.upper()} twice.")
    _refused_on(response, "what_happened", PSEUDONYM)


@pytest.mark.parametrize("written", [PHONE, PHONE_E164, "07700-900-461", "0 7 7 0 0 9 0 0 4 6 1"])
def test_a_draft_quoting_the_clients_phone_in_any_format_is_refused(as_caseworker, case, written):
    response = draft(as_caseworker, case, offender_description=f"{DESCRIPTION} Rang {written}.")
    _refused_on(response, "offender_description", written)


def test_a_draft_naming_the_client_or_their_email_is_refused(as_caseworker, case):
    response = draft(
        as_caseworker,
        case,
        what_happened="theodora   VANCE-pemberton was hurt",
        offender_description=f"He wrote to {EMAIL.upper()}",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"what_happened", "offender_description"}
    assert LEGAL_NAME.lower() not in response.content.decode().lower()


def test_the_clients_own_number_as_an_identifier_is_refused(as_caseworker, case):
    response = draft(as_caseworker, case, identifiers=[{"kind": "phone", "value": PHONE}])
    _refused_on(response, "identifiers", PHONE)


def test_the_clients_address_is_refused(as_caseworker, case, caseworker):
    from ...factories import ContactMethodFactory

    ContactMethodFactory(
        client=case.client, kind="postal_address", value="14 Wortley Grove, Leeds, LS12 4QT"
    )
    response = draft(as_caseworker, case, what_happened="He followed her home to wortley grove.")
    _refused_on(response, "what_happened")
    response = draft(as_caseworker, case, what_happened="He was last seen in Leeds.")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "identifier",
    [
        {"kind": "phone", "value": "call me maybe"},
        {"kind": "email", "value": "not-an-email"},
        {"kind": "vehicle", "value": "!!"},
        {"kind": "handle", "value": "two words"},
        {"kind": "handle", "value": "http://[unclosed"},
    ],
)
def test_an_unreadable_identifier_is_refused_naming_the_field(as_caseworker, case, identifier):
    response = draft(as_caseworker, case, identifiers=[identifier])
    assert response.status_code == 400, response.json()
    assert "identifiers" in response.json()["fields"]
    assert identifier["value"] not in response.content.decode()
    assert not Alert.objects.exists()


def test_an_area_not_on_the_organisations_list_is_refused(as_caseworker, case):
    response = draft(as_caseworker, case, area="Behind the car wash")
    assert response.status_code == 400
    assert "area" in response.json()["fields"]


def test_a_case_without_warn_others_makes_no_alert(as_caseworker, caseworker):
    other = open_case(caseworker)
    consent(as_caseworker, other, "store_records")
    response = draft(as_caseworker, other)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "no_warn_others_consent"
    assert not Alert.objects.exists()


def test_staff_who_cannot_see_the_case_cannot_draft_from_it(as_supervisor, case, charity):
    from ...conftest import client_for
    from ...factories import UserFactory

    stranger = client_for(UserFactory(organisation=charity))
    assert draft(stranger, case).status_code == 404
    assert not Alert.objects.exists()
