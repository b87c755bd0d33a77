"""What a force sees of a case shared with it, identified: the case under a reference of its
own, identity and a route to the client only as consent allows, nothing internal, and nothing
at all for another force or for charity staff on the police endpoints. Every read is audited."""

import pytest

from casework.audit.models import AuditEvent
from casework.sharing.models import PoliceInvolvement, SharedUpdate

from ...editing import edit
from ...factories import SharedCaseFactory
from .world import (
    AREA,
    CONTACT_NOTE,
    DATE_OF_BIRTH,
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
    listed,
    post_update,
    updates,
    withdraw,
)

pytestmark = pytest.mark.django_db


# What an identified share shows


def test_the_force_sees_the_case_under_a_reference_that_is_not_the_charitys(
    as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    response = as_police.get(SHARED)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(share.id)
    assert row["share_reference"] == share.share_reference
    assert row["share_reference"] not in (str(case.id), case.reference)
    assert case.reference not in row["share_reference"]
    assert row["level"] == "identified"
    assert sorted(row["offence_types"]) == ["physical_assault", "robbery"]
    assert row["area"] == AREA
    assert row["incident_date"] == case.incident_date.isoformat()
    assert row["incident_month"] == case.incident_date.strftime("%Y-%m")
    assert_absent(
        response.content, str(case.id), case.reference, PSEUDONYM, LEGAL_NAME, INCIDENT_AREA
    )


def test_the_detail_shows_identity_and_contact_through_the_charity_and_nothing_internal(
    as_police, case, police_force, caseworker, charity
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    response = as_police.get(detail(share))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["share_reference"] == share.share_reference
    assert body["identity"]["pseudonym"] == PSEUDONYM
    assert body["identity"]["legal_name"] == LEGAL_NAME
    assert body["identity"]["date_of_birth"] == DATE_OF_BIRTH.isoformat()
    assert body["identity"]["languages"] == ["English", "Romanian"]
    assert body["contact"]["route"] == "through_charity"
    assert body["contact"]["contact_through"] == caseworker.get_full_name()
    assert body["contact"]["organisation"] == charity.name
    assert "value" not in body["contact"]
    assert "risk_level" not in body
    assert_absent(
        response.content,
        str(case.id),
        case.reference,
        INTERNAL_NOTE,
        CONTACT_NOTE,
        PHONE_E164,
        PHONE_NATIONAL,
        PHONE,
        EMAIL,
        "risk",
        str(case.client_id),
    )


def test_with_direct_contact_consent_the_force_sees_the_route_chosen_for_police(
    as_caseworker, as_police, case, police_force
):
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    assert share.contact_directly
    # The preferred mobile is not the police's until the charity flags it for them.
    assert as_police.get(detail(share)).json()["contact"]["route"] == "through_charity"
    mobile = case.client.contact_methods.get(kind="mobile")
    flagged = edit(
        as_caseworker,
        f"/api/v1/clients/{case.client_id}/contact-methods/{mobile.id}/",
        {"police_may_use": True},
        format="json",
    )
    assert flagged.status_code == 200, flagged.json()
    body = as_police.get(detail(share)).json()
    contact = body["contact"]
    assert contact["route"] == "direct"
    assert (contact["kind"], contact["value"]) == ("mobile", PHONE_E164)
    assert contact["safe_to_text"] is True and contact["safe_to_call"] is False
    assert_absent(as_police.get(detail(share)).content, EMAIL, INTERNAL_NOTE, CONTACT_NOTE)


# Other forces


def test_another_force_sees_nothing_of_a_share(
    as_caseworker, as_other_police, case, police_force, other_force
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    assert listed(as_other_police) == []
    assert as_other_police.get(detail(share)).status_code == 404
    assert as_other_police.get(updates(share)).status_code == 404
    assert post_update(as_other_police, share).status_code == 404
    patched = edit(as_other_police, involvement(share), {"officer_name": "DC Rook"}, format="json")
    assert patched.status_code == 404
    withdraw(as_caseworker, case, police_force)
    assert as_other_police.get(f"{SHARED}ended/").json()["results"] == []
    assert not SharedUpdate.objects.exists()
    assert "DC Rook" not in {p.officer_name for p in PoliceInvolvement.objects.all()}


def test_charity_staff_cannot_use_the_police_endpoints(as_caseworker, case, police_force):
    share = SharedCaseFactory(case=case, police_force=police_force)
    assert as_caseworker.get(SHARED).status_code == 403
    assert as_caseworker.get(detail(share)).status_code == 403
    assert as_caseworker.get(updates(share)).status_code == 403


# Auditing reads


def test_every_police_read_of_a_shared_case_is_audited(
    as_police, case, police_force, police_liaison
):
    share = SharedCaseFactory(case=case, police_force=police_force)
    for _ in range(2):
        assert as_police.get(detail(share)).status_code == 200
    reads = AuditEvent.objects.filter(action="shared_case.read")
    assert reads.count() == 2
    for event in reads:
        assert event.actor == police_liaison
        assert event.case_id == case.id
        assert event.object_id == str(share.pk)
