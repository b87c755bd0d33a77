"""The route given to police is one the client chose for police: a phone or an email flagged by
the charity, working, and safe to call or write to, with its safety flags and safe times. An
address, a third party or an outreach location never reaches a police response, and the charity
contact named instead is the case's person: an active member of staff, by the one ranking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.cases.models import Case
from casework.cases.services.cases import case_assign
from casework.clients.models import ContactMethod

from ..editing import edit
from ..factories import CaseFactory, ContactMethodFactory, IsvaFactory, SharedCaseFactory

pytestmark = pytest.mark.django_db

SHARED = "/api/v1/shared-cases/"
ADDRESS = "Flat 9, 77 Quillfeather Road, Leeds LS6 4QQ"
THIRD_PARTY = "Bernadette Okonkwo-Fairweather"
THIRD_PARTY_ROUTE = "Via the Larkspur launderette counter"
OUTREACH = "Thursday van behind Marrowby bus depot"
PHONE = "07700 900872"
PHONE_E164 = "+447700900872"
SAFE_TIMES = [{"days": ["mon", "wed"], "from": "11:00", "to": "15:30"}]

NOT_FOR_POLICE = {
    "postal_address": {"kind": "postal_address", "value": ADDRESS},
    "third_party": {
        "kind": "third_party",
        "value": THIRD_PARTY_ROUTE,
        "third_party_name": THIRD_PARTY,
    },
    "outreach_location": {"kind": "outreach_location", "value": OUTREACH},
}
SECRETS = [ADDRESS, "Quillfeather", THIRD_PARTY, "Okonkwo", THIRD_PARTY_ROUTE, OUTREACH, "Marrowby"]


@pytest.fixture
def case(caseworker) -> Case:
    return CaseFactory(
        opened_by=caseworker,
        pseudonym="Peregrine",
        offence_types=["robbery"],
        incident_date=timezone.localdate() - timedelta(days=3),
    )


def consent(api, case, scope, granted=True, force=None):
    body = {"scope": scope, "granted": granted, "method": "verbal"}
    if force is not None:
        body["police_force"] = str(force.id)
    response = api.post(f"/api/v1/cases/{case.id}/consents/", body, format="json")
    assert response.status_code == 201, response.json()


def police_contact(api, share) -> dict:
    response = api.get(f"{SHARED}{share.id}/")
    assert response.status_code == 200, response.json()
    return response.json()["contact"]


def assert_absent(raw: bytes, *needles: str) -> None:
    text = raw.decode().lower()
    for needle in needles:
        assert needle.lower() not in text, f"{needle!r} leaked into {raw.decode()}"


# An address, a third party or an outreach location never reaches police


@pytest.mark.parametrize("with_police_phone", [False, True], ids=["alone", "beside_a_phone"])
@pytest.mark.parametrize("kind", sorted(NOT_FOR_POLICE))
def test_a_preferred_route_that_is_not_a_phone_or_email_never_reaches_any_police_response(
    as_caseworker, as_police, caseworker, case, police_force, kind, with_police_phone
):
    for other in sorted(set(NOT_FOR_POLICE) - {kind}):
        ContactMethodFactory(client=case.client, **NOT_FOR_POLICE[other])
    ContactMethodFactory(client=case.client, **NOT_FOR_POLICE[kind], preferred=True)
    if with_police_phone:
        ContactMethodFactory(
            client=case.client, kind="mobile", value=PHONE, safe_to_text=True, police_may_use=True
        )
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    base = f"{SHARED}{share.id}/"
    hearing = {"hearing_type": "first_hearing", "court": "Leeds Magistrates' Court"}
    hearing["starts_at"] = (timezone.now() + timedelta(days=20)).isoformat()
    responses = [
        as_police.get(SHARED),
        as_police.get(base),
        as_police.post(f"{base}updates/", {"kind": "investigation", "body": "Seen."}),
        as_police.get(f"{base}updates/"),
        as_police.post(f"{base}court-events/", hearing, format="json"),
        as_police.get(f"{base}court-events/"),
        edit(as_police, f"{base}police-involvement/", {"officer_name": "DC Teal"}, format="json"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 201, 200, 201, 200, 200]
    contact = responses[1].json()["contact"]
    if with_police_phone:
        assert (contact["route"], contact["kind"], contact["value"]) == (
            "direct",
            "mobile",
            PHONE_E164,
        )
    else:
        assert contact["route"] == "through_charity"
        assert contact["contact_through"] == caseworker.get_full_name()
    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)
    ended = as_police.get(f"{SHARED}ended/")
    assert ended.status_code == 200
    assert [row["share_reference"] for row in ended.json()["results"]] == [share.share_reference]
    for response in [*responses, ended]:
        assert_absent(response.content, *SECRETS)


# Only a flagged, working route that is safe to call or to write to is offered


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {"kind": "mobile", "value": PHONE, "safe_to_voicemail": True}, id="phone-unsafe"
        ),
        pytest.param({"kind": "landline", "value": "0113 496 0872"}, id="landline-unsafe"),
        pytest.param(
            {"kind": "landline", "value": "0113 496 0872", "safe_to_text": True},
            id="landline-cannot-take-a-text",
        ),
        pytest.param(
            {"kind": "email", "value": "peregrine@example.org", "safe_to_call": True},
            id="email-unsafe-to-write",
        ),
    ],
)
def test_a_flagged_route_that_is_unsafe_to_call_or_write_to_is_not_offered(
    as_police, case, police_force, fields
):
    ContactMethodFactory(client=case.client, **fields, police_may_use=True, preferred=True)
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    response = as_police.get(f"{SHARED}{share.id}/")
    contact = response.json()["contact"]
    assert contact["route"] == "through_charity"
    assert "value" not in contact and "kind" not in contact
    assert_absent(response.content, fields["value"], PHONE_E164, "0113")


@pytest.mark.parametrize("status", ["failing", "dead", "retired"])
def test_a_flagged_route_that_no_longer_works_is_not_offered(as_police, case, police_force, status):
    method = ContactMethodFactory(
        client=case.client, kind="mobile", value=PHONE, safe_to_call=True, police_may_use=True
    )
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    assert police_contact(as_police, share)["value"] == PHONE_E164
    retired_at = timezone.now() if status == "retired" else None
    ContactMethod.objects.filter(pk=method.pk).update(status=status, retired_at=retired_at)
    assert police_contact(as_police, share)["route"] == "through_charity"


def test_a_safe_route_not_flagged_for_police_is_not_offered(as_police, case, police_force):
    ContactMethodFactory(
        client=case.client, kind="mobile", value=PHONE, safe_to_call=True, safe_to_text=True
    )
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    response = as_police.get(f"{SHARED}{share.id}/")
    assert response.json()["contact"]["route"] == "through_charity"
    assert_absent(response.content, PHONE_E164)


def test_a_flagged_safe_mobile_is_offered_with_its_flags_and_safe_times(
    as_police, case, police_force
):
    ContactMethodFactory(client=case.client, **NOT_FOR_POLICE["postal_address"], preferred=True)
    ContactMethodFactory(
        client=case.client,
        kind="mobile",
        value=PHONE,
        safe_to_text=True,
        safe_to_voicemail=False,
        safe_times=SAFE_TIMES,
        police_may_use=True,
    )
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    assert police_contact(as_police, share) == {
        "route": "direct",
        "kind": "mobile",
        "value": PHONE_E164,
        "safe_to_call": False,
        "safe_to_text": True,
        "safe_to_voicemail": False,
        "safe_times": SAFE_TIMES,
    }


def test_a_flagged_email_safe_to_write_to_is_offered(as_police, case, police_force):
    ContactMethodFactory(
        client=case.client,
        kind="email",
        value="Peregrine@Example.org",
        safe_to_text=True,
        police_may_use=True,
    )
    share = SharedCaseFactory(case=case, police_force=police_force, contact_directly=True)
    contact = police_contact(as_police, share)
    assert (contact["route"], contact["kind"], contact["value"]) == (
        "direct",
        "email",
        "peregrine@example.org",
    )


def test_without_direct_contact_consent_the_flagged_route_is_not_given(
    as_police, case, police_force
):
    ContactMethodFactory(
        client=case.client, kind="mobile", value=PHONE, safe_to_call=True, police_may_use=True
    )
    share = SharedCaseFactory(case=case, police_force=police_force)
    response = as_police.get(f"{SHARED}{share.id}/")
    assert response.json()["contact"]["route"] == "through_charity"
    assert_absent(response.content, PHONE_E164)


# The charity contact named to police


def test_the_contact_named_is_the_next_ranked_active_member_of_staff(
    as_police, as_supervisor, caseworker, charity, police_force
):
    isva = IsvaFactory(organisation=charity, first_name="Indira", last_name="Lowe")
    # The ISVA is on the case first; the caseworker, assigned later, still ranks before them.
    case = CaseFactory(opened_by=isva, pseudonym="Peregrine")
    case_assign(case=case, user=caseworker, assigned_by=isva)
    share = SharedCaseFactory(case=case, police_force=police_force)
    named = police_contact(as_police, share)
    assert (named["contact_through"], named["email"]) == (
        caseworker.get_full_name(),
        caseworker.email,
    )

    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/deactivate/")
    assert response.status_code == 200, response.json()
    named = police_contact(as_police, share)
    assert named["route"] == "through_charity"
    assert (named["contact_through"], named["email"]) == (isva.get_full_name(), isva.email)
    assert named["organisation"] == charity.name
