"""Anonymous intelligence: the incident facts a force may have, and nothing that identifies the
client, the charity's police involvement or what the charity shares."""

import pytest

from casework.cases.models import Note
from casework.sharing.models import PoliceInvolvement

from ...editing import edit
from ...factories import SharedCaseFactory
from .world import (
    AREA,
    CONTACT_NOTE,
    EMAIL,
    INCIDENT_AREA,
    INTERNAL_NOTE,
    LEGAL_NAME,
    PHONE,
    PHONE_E164,
    PHONE_NATIONAL,
    PSEUDONYM,
    SHARED,
    assert_absent,
    detail,
    involvement,
    post_update,
    updates,
)

pytestmark = pytest.mark.django_db


def test_anonymous_intelligence_shows_incident_facts_and_nothing_that_identifies_anyone(
    as_police, case, police_force, caseworker
):
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    assert share.level == "anonymous"
    # Whether an anonymous share carries updates at all is the justice section's business; if it
    # does, they must not identify anyone either.
    posted = post_update(as_police, share)
    assert posted.status_code in (201, 404), posted.json()
    responses = [
        as_police.get(SHARED),
        as_police.get(detail(share)),
        as_police.get(updates(share)),
        posted,
    ]
    assert responses[0].status_code == 200 and responses[1].status_code == 200
    assert responses[2].status_code in (200, 404)
    assert [row["id"] for row in responses[0].json()["results"]] == [str(share.id)]
    body = responses[1].json()
    assert body["level"] == "anonymous"
    assert sorted(body["offence_types"]) == ["physical_assault", "robbery"]
    assert body["incident_date"] is None
    assert body["incident_month"] == case.incident_date.strftime("%Y-%m")
    assert body["area"] == AREA
    [row] = responses[0].json()["results"]
    assert (row["incident_date"], row["incident_month"]) == (None, body["incident_month"])
    assert body["identity"] is None
    assert body["contact"] is None
    assert body["justice_stage"] is None
    assert body["police_involvement"] is None
    for response in responses:
        assert_absent(
            response.content,
            PSEUDONYM,
            LEGAL_NAME,
            PHONE_E164,
            PHONE_NATIONAL,
            PHONE,
            EMAIL,
            caseworker.get_full_name(),
            caseworker.last_name,
            caseworker.email,
            str(case.id),
            case.reference,
            str(case.client_id),
            INTERNAL_NOTE,
            CONTACT_NOTE,
            INCIDENT_AREA,
            case.incident_date.isoformat(),
        )


def test_an_anonymous_share_does_not_reveal_the_charitys_police_involvement(
    as_caseworker, as_police, case, police_force, caseworker
):
    """Police involvement belongs to the justice section, which only an identified share has:
    a crime reference tied to anonymous intelligence would identify the victim."""
    recorded = edit(
        as_caseworker,
        f"/api/v1/cases/{case.id}/police-involvement/",
        {"police_force": str(police_force.id), "crime_reference": "13/99887/25"},
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    response = edit(as_police, involvement(share), {"officer_name": "DC Wren"}, format="json")
    if response.status_code == 200:
        assert_absent(response.content, "13/99887/25", caseworker.username)
    else:
        assert response.status_code in (403, 404), response.json()
        assert PoliceInvolvement.objects.get(case=case).officer_name == ""


def test_a_charity_shared_note_never_reaches_an_anonymous_share(
    as_caseworker, as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force, level="anonymous")
    response = as_caseworker.post(
        f"/api/v1/cases/{case.id}/notes/",
        {"body": f"{PSEUDONYM} will attend on Monday", "visibility": "shared"},
        format="json",
    )
    assert response.status_code == 400
    assert "visibility" in response.json()["fields"]
    assert not Note.objects.filter(visibility="shared").exists()
    assert_absent(as_police.get(updates(share)).content, PSEUDONYM)
