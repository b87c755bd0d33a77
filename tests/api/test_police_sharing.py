"""Police sharing: a force sees a case only while the client's consent lasts, only its own share,
and only what the consent level allows. Withdrawal bites on the very next request."""

import threading
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from casework.accounts.models import ApiKey
from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseTransition, Note
from casework.cases.services.cases import case_create
from casework.cases.services.contacts import contact_log, note_add
from casework.clients.services import client_create, contact_method_add
from casework.sharing.derivation import liaison_group
from casework.sharing.models import (
    ConsentDecision,
    PoliceInvolvement,
    SharedCase,
    SharedCaseGroupObjectPermission,
    SharedUpdate,
)
from casework.sharing.services import PROSECUTION_WITHDRAWN_MESSAGE, expire_lapsed_consents

from ..conftest import client_for, client_for_key
from ..factories import PoliceForceFactory, PoliceLiaisonFactory, make_api_key

pytestmark = pytest.mark.django_db

PSEUDONYM = "Marigold Quill"
LEGAL_NAME = "Theodora Vance-Pemberton"
DATE_OF_BIRTH = date(1994, 3, 2)
PHONE = "07700 900461"
PHONE_E164 = "+447700900461"
PHONE_NATIONAL = "07700900461"
EMAIL = "marigold.quill@example.net"
INTERNAL_NOTE = "Internal only: staying at the Larkspur hostel"
CONTACT_NOTE = "Rang from the payphone outside Larkspur"
AREA = "Leeds city centre"
INCIDENT_AREA = "Under the Larkspur arches by the taxi rank"

SHARED = "/api/v1/shared-cases/"


# Set-up


def open_case(caseworker) -> Case:
    """A case with everything police must not see: contact methods, an internal note, a contact
    log entry, a risk level and where it happened in the charity's own words."""
    organisation = caseworker.organisation
    organisation.areas = [AREA, "Harehills"]
    organisation.save(update_fields=["areas"])
    client = client_create(
        organisation=caseworker.organisation,
        created_by=caseworker,
        pseudonym=PSEUDONYM,
        legal_name=LEGAL_NAME,
        date_of_birth=DATE_OF_BIRTH,
        pronouns="she/her",
        languages=["English", "Romanian"],
    )
    mobile = contact_method_add(
        client=client,
        created_by=caseworker,
        kind="mobile",
        value=PHONE,
        preferred=True,
        safe_to_text=True,
    )
    contact_method_add(client=client, created_by=caseworker, kind="email", value=EMAIL)
    case = case_create(
        client=client,
        opened_by=caseworker,
        offence_types=["robbery", "physical_assault"],
        incident_date=timezone.localdate() - timedelta(days=10),
        incident_area=INCIDENT_AREA,
        area=AREA,
        risk_level="high",
    )
    note_add(case=case, author=caseworker, body=INTERNAL_NOTE, visibility="internal")
    contact_log(
        case=case,
        recorded_by=caseworker,
        occurred_at=timezone.now() - timedelta(hours=1),
        channel="phone_call",
        direction="inbound",
        outcome="reached",
        contact_method=mobile,
        note=CONTACT_NOTE,
    )
    return case


@pytest.fixture
def case(caseworker) -> Case:
    return open_case(caseworker)


@pytest.fixture
def other_force(db):
    return PoliceForceFactory()


@pytest.fixture
def other_liaison(other_force):
    return PoliceLiaisonFactory(organisation=other_force)


@pytest.fixture
def as_other_police(other_liaison):
    return client_for(other_liaison)


def consent(api, case, scope, granted=True, force=None, **extra):
    body = {"scope": scope, "granted": granted, "method": "verbal", **extra}
    if force is not None:
        body["police_force"] = str(force.id)
    response = api.post(f"/api/v1/cases/{case.id}/consents/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def share_identified(api, case, force, *, contact_directly=False, **extra) -> SharedCase:
    consent(api, case, "store_records")
    consent(api, case, "share_with_police", force=force, **extra)
    if contact_directly:
        consent(api, case, "police_may_contact_directly", force=force)
    return SharedCase.objects.get(case=case, police_force=force, status="active")


def share_anonymous(api, case, force) -> SharedCase:
    consent(api, case, "store_records")
    consent(api, case, "share_anonymous_intelligence", force=force)
    return SharedCase.objects.get(case=case, police_force=force, status="active")


def withdraw(api, case, force, **extra):
    return consent(api, case, "share_with_police", granted=False, force=force, **extra)


def detail(share) -> str:
    return f"{SHARED}{share.id}/"


def updates(share) -> str:
    return f"{SHARED}{share.id}/updates/"


def involvement(share) -> str:
    return f"{SHARED}{share.id}/police-involvement/"


def listed(api) -> list[dict]:
    response = api.get(SHARED)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def post_update(api, share, kind="investigation", body="Suspect interviewed under caution."):
    return api.post(updates(share), {"kind": kind, "body": body}, format="json")


def timeline(api, case) -> list[dict]:
    response = api.get(f"/api/v1/cases/{case.id}/timeline/?page_size=100")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def assert_absent(raw: bytes, *needles: str) -> None:
    text = raw.decode()
    for needle in needles:
        assert needle.lower() not in text.lower(), f"{needle!r} leaked into {text}"


# What an identified share shows


def test_the_force_sees_the_case_under_a_reference_that_is_not_the_charitys(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
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
    as_caseworker, as_police, case, police_force, caseworker, charity
):
    share = share_identified(as_caseworker, case, police_force)
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
    share = share_identified(as_caseworker, case, police_force, contact_directly=True)
    assert share.contact_directly
    # The preferred mobile is not the police's until the charity flags it for them.
    assert as_police.get(detail(share)).json()["contact"]["route"] == "through_charity"
    mobile = case.client.contact_methods.get(kind="mobile")
    flagged = as_caseworker.patch(
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


# Withdrawal


def test_withdrawal_ends_police_access_on_the_very_next_request(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force, contact_directly=True)
    assert as_police.get(detail(share)).status_code == 200
    assert post_update(as_police, share).status_code == 201
    assert as_police.get(updates(share)).status_code == 200
    withdraw(as_caseworker, case, police_force)

    assert as_police.get(detail(share)).status_code == 404
    assert as_police.get(updates(share)).status_code == 404
    patched = as_police.patch(involvement(share), {"crime_reference": "13/1/25"}, format="json")
    assert patched.status_code == 404
    assert listed(as_police) == []
    ended = as_police.get(f"{SHARED}ended/")
    assert ended.status_code == 200
    [row] = ended.json()["results"]
    assert set(row) == {"share_reference", "ended_on"}
    assert row["share_reference"] == share.share_reference
    share.refresh_from_db()
    assert share.status == "ended"
    assert row["ended_on"] == timezone.localdate(share.ended_at).isoformat()
    assert not PoliceInvolvement.objects.filter(case=case, crime_reference="13/1/25").exists()
    assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()


def test_a_police_update_on_an_ended_share_is_not_found_and_not_saved(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
    withdraw(as_caseworker, case, police_force)
    response = post_update(as_police, share)
    assert response.status_code == 404, response.json()
    assert response.json()["code"] == "not_found"
    assert not SharedUpdate.objects.exists()


def test_withdrawing_store_records_ends_every_share(
    as_caseworker, as_police, as_other_police, case, police_force, other_force
):
    share = share_identified(as_caseworker, case, police_force)
    consent(as_caseworker, case, "share_anonymous_intelligence", force=other_force)
    other = SharedCase.objects.get(case=case, police_force=other_force)
    assert as_other_police.get(detail(other)).status_code == 200
    consent(as_caseworker, case, "store_records", granted=False)
    assert as_police.get(detail(share)).status_code == 404
    assert as_other_police.get(detail(other)).status_code == 404
    assert listed(as_police) == [] and listed(as_other_police) == []
    assert set(SharedCase.objects.filter(case=case).values_list("status", flat=True)) == {"ended"}


def test_a_share_granted_again_after_withdrawal_is_a_new_share(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
    withdraw(as_caseworker, case, police_force)
    consent(as_caseworker, case, "share_with_police", force=police_force)
    [row] = listed(as_police)
    assert row["id"] != str(share.id)
    assert row["share_reference"] != share.share_reference
    assert datetime.fromisoformat(row["started_at"]) > share.started_at
    [ended] = as_police.get(f"{SHARED}ended/").json()["results"]
    assert ended["share_reference"] == share.share_reference
    assert as_police.get(detail(share)).status_code == 404


# Anonymous intelligence


def test_anonymous_intelligence_shows_incident_facts_and_nothing_that_identifies_anyone(
    as_caseworker, as_police, case, police_force, caseworker
):
    share = share_anonymous(as_caseworker, case, police_force)
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
    recorded = as_caseworker.patch(
        f"/api/v1/cases/{case.id}/police-involvement/",
        {"police_force": str(police_force.id), "crime_reference": "13/99887/25"},
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    share = share_anonymous(as_caseworker, case, police_force)
    response = as_police.patch(involvement(share), {"officer_name": "DC Wren"}, format="json")
    if response.status_code == 200:
        assert_absent(response.content, "13/99887/25", caseworker.username)
    else:
        assert response.status_code in (403, 404), response.json()
        assert PoliceInvolvement.objects.get(case=case).officer_name == ""


def test_a_charity_shared_note_never_reaches_an_anonymous_share(
    as_caseworker, as_police, case, police_force
):
    share = share_anonymous(as_caseworker, case, police_force)
    response = as_caseworker.post(
        f"/api/v1/cases/{case.id}/notes/",
        {"body": f"{PSEUDONYM} will attend on Monday", "visibility": "shared"},
        format="json",
    )
    assert response.status_code == 400
    assert "visibility" in response.json()["fields"]
    assert not Note.objects.filter(visibility="shared").exists()
    assert_absent(as_police.get(updates(share)).content, PSEUDONYM)


# Other forces


def test_another_force_sees_nothing_of_a_share(
    as_caseworker, as_other_police, case, police_force, other_force
):
    share = share_identified(as_caseworker, case, police_force)
    assert listed(as_other_police) == []
    assert as_other_police.get(detail(share)).status_code == 404
    assert as_other_police.get(updates(share)).status_code == 404
    assert post_update(as_other_police, share).status_code == 404
    patched = as_other_police.patch(involvement(share), {"officer_name": "DC Rook"}, format="json")
    assert patched.status_code == 404
    withdraw(as_caseworker, case, police_force)
    assert as_other_police.get(f"{SHARED}ended/").json()["results"] == []
    assert not SharedUpdate.objects.exists()
    assert not PoliceInvolvement.objects.filter(officer_name="DC Rook").exists()


def test_charity_staff_cannot_use_the_police_endpoints(as_caseworker, case, police_force):
    share = share_identified(as_caseworker, case, police_force)
    assert as_caseworker.get(SHARED).status_code == 403
    assert as_caseworker.get(detail(share)).status_code == 403
    assert as_caseworker.get(updates(share)).status_code == 403


# Lapsed consent


def test_a_lapsed_consent_hides_the_share_at_once_and_the_sweep_then_ends_it(
    as_caseworker, case, police_force, police_liaison
):
    review = timezone.localdate() + timedelta(days=5)
    share = share_identified(as_caseworker, case, police_force, review_date=review.isoformat())
    assert share.review_date == review
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        on_the_day = client_for(police_liaison)
        assert on_the_day.get(detail(share)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        police = client_for(police_liaison)
        assert police.get(detail(share)).status_code == 404
        assert police.get(updates(share)).status_code == 404
        assert post_update(police, share).status_code == 404
        assert listed(police) == []
        share.refresh_from_db()
        assert share.status == "active"  # nothing has run yet: the read itself refused
        assert expire_lapsed_consents() == 1
        share.refresh_from_db()
        assert share.status == "ended" and share.ended_at is not None
        assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()
        end = AuditEvent.objects.get(action="share.end", object_id=str(share.pk))
        assert end.case_id == case.id
        [row] = police.get(f"{SHARED}ended/").json()["results"]
        assert row["share_reference"] == share.share_reference
        assert expire_lapsed_consents() == 0


def test_renewing_consent_before_the_review_date_keeps_the_share(
    as_caseworker, as_police, case, police_force, police_liaison, caseworker
):
    soon = timezone.localdate() + timedelta(days=5)
    share = share_identified(as_caseworker, case, police_force, review_date=soon.isoformat())
    later = timezone.localdate() + timedelta(days=60)
    consent(
        as_caseworker, case, "share_with_police", force=police_force, review_date=later.isoformat()
    )
    share.refresh_from_db()
    assert share.review_date == later
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        assert expire_lapsed_consents() == 0
        assert client_for(police_liaison).get(detail(share)).status_code == 200


def test_a_note_shared_while_consent_had_lapsed_never_reaches_the_force(
    as_caseworker, case, police_force, police_liaison, caseworker
):
    """The sweep has not run yet: the share is still marked active, but its consent lapsed."""
    review = timezone.localdate() + timedelta(days=5)
    share_identified(as_caseworker, case, police_force, review_date=review.isoformat())
    written_in_the_gap = "Client moved in with her sister on Larkspur Road"
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        staff = client_for(caseworker)
        refused = staff.post(
            f"/api/v1/cases/{case.id}/notes/",
            {"body": written_in_the_gap, "visibility": "shared"},
            format="json",
        )
        assert refused.status_code == 400, refused.json()
        assert "visibility" in refused.json()["fields"]
        assert not Note.objects.filter(visibility="shared").exists()
        assert not SharedUpdate.objects.exists()

        renewed = (timezone.localdate() + timedelta(days=60)).isoformat()
        consent(staff, case, "share_with_police", force=police_force, review_date=renewed)
        police = client_for(police_liaison)
        [row] = listed(police)
        live = SharedCase.objects.get(pk=row["id"])
        seen = [police.get(SHARED), police.get(detail(live)), police.get(updates(live))]
        assert [r.status_code for r in seen] == [200, 200, 200]
        assert seen[2].json()["results"] == []
        for response in seen:
            assert_absent(response.content, written_in_the_gap, "Larkspur")
    assert written_in_the_gap not in [update.body for update in SharedUpdate.objects.all()]


# Updates across a share


def test_a_police_update_is_seen_by_the_force_and_on_the_charitys_timeline(
    as_caseworker, as_police, case, police_force, police_liaison
):
    share = share_identified(as_caseworker, case, police_force)
    response = post_update(as_police, share, body="Suspect arrested on Tuesday.")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["kind"] == "investigation"
    assert created["source"] == "police"
    assert created["author"] == police_liaison.get_full_name()
    stored = SharedUpdate.objects.get(pk=created["id"])
    assert stored.from_police and stored.author == police_liaison
    [row] = as_police.get(updates(share)).json()["results"]
    assert (row["id"], row["body"]) == (created["id"], "Suspect arrested on Tuesday.")
    items = [item for item in timeline(as_caseworker, case) if item["kind"] == "police_update"]
    assert len(items) == 1
    assert items[0]["id"] == created["id"]
    assert items[0]["data"]["body"] == "Suspect arrested on Tuesday."
    assert items[0]["data"]["share_reference"] == share.share_reference
    assert items[0]["data"]["police_force"] == police_force.name
    assert AuditEvent.objects.filter(action="shared_update.create", case_id=case.id).count() == 1


@pytest.mark.parametrize("kind", ["support", "prosecution_support_withdrawn", "gossip"])
def test_police_may_only_post_investigation_or_court_updates(
    as_caseworker, as_police, case, police_force, kind
):
    share = share_identified(as_caseworker, case, police_force)
    response = post_update(as_police, share, kind=kind)
    assert response.status_code == 400, response.json()
    assert "kind" in response.json()["fields"]
    assert not SharedUpdate.objects.exists()


def test_a_court_update_is_accepted(as_caseworker, as_police, case, police_force):
    share = share_identified(as_caseworker, case, police_force)
    response = post_update(as_police, share, kind="court", body="First hearing listed.")
    assert response.status_code == 201, response.json()


def test_a_shared_note_with_no_identified_share_is_refused_and_nothing_is_saved(
    as_caseworker, case, police_force
):
    url = f"/api/v1/cases/{case.id}/notes/"
    note = {"body": "Client will give a statement", "visibility": "shared"}
    response = as_caseworker.post(url, note, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "validation_error" and "visibility" in body["fields"]
    share_identified(as_caseworker, case, police_force)
    withdraw(as_caseworker, case, police_force)
    assert as_caseworker.post(url, note, format="json").status_code == 400
    assert not Note.objects.filter(visibility="shared").exists()
    assert not SharedUpdate.objects.exists()
    assert Note.objects.filter(case=case).count() == 1  # the internal note of the set-up


def test_a_shared_note_reaches_the_force_as_from_the_charity(
    as_caseworker, as_police, as_other_police, case, police_force, other_force, charity, caseworker
):
    share = share_identified(as_caseworker, case, police_force)
    consent(as_caseworker, case, "share_anonymous_intelligence", force=other_force)
    other = SharedCase.objects.get(case=case, police_force=other_force)
    response = as_caseworker.post(
        f"/api/v1/cases/{case.id}/notes/",
        {"body": "Client is ready to give a statement.", "visibility": "shared"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    [row] = as_police.get(updates(share)).json()["results"]
    assert row["source"] == "charity"
    assert row["kind"] == "support"
    assert row["author"] == charity.name
    assert row["body"] == "Client is ready to give a statement."
    assert_absent(
        as_police.get(updates(share)).content, caseworker.get_full_name(), caseworker.username
    )
    # An anonymous share carries no updates at all: nothing reached the other force.
    assert as_other_police.get(updates(other)).status_code == 404
    assert not SharedUpdate.objects.filter(shared_case=other).exists()


def test_withdrawing_support_for_prosecution_moves_the_case_and_tells_the_force_nothing_more(
    as_caseworker, as_police, case, police_force
):
    stage, expected = "reported", "prosecution_support_withdrawn"
    moved = as_caseworker.post(
        f"/api/v1/cases/{case.id}/transitions/",
        {"lifecycle": "justice", "to": stage, "reason": "Reported at the station."},
    )
    assert moved.status_code == 200, moved.json()
    share = share_identified(as_caseworker, case, police_force)
    consent(as_caseworker, case, "support_prosecution")
    consent(
        as_caseworker,
        case,
        "support_prosecution",
        granted=False,
        note="Frightened of the defendant's family in Larkspur Road",
    )
    case.refresh_from_db()
    assert case.justice_stage == expected
    move = CaseTransition.objects.filter(case=case, lifecycle="justice").latest("occurred_at")
    assert (move.from_state, move.to_state) == (stage, expected)
    [row] = as_police.get(updates(share)).json()["results"]
    assert row["kind"] == "prosecution_support_withdrawn"
    assert row["source"] == "charity"
    assert row["body"] == PROSECUTION_WITHDRAWN_MESSAGE
    assert_absent(
        as_police.get(updates(share)).content, PSEUDONYM, LEGAL_NAME, "Frightened", "Larkspur"
    )
    assert as_police.get(detail(share)).json()["justice_stage"] == expected
    # The share itself goes on: support for a prosecution is not consent to share.
    assert as_police.get(detail(share)).status_code == 200


def test_withdrawing_support_for_prosecution_with_no_prosecution_leaves_the_stage(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
    consent(as_caseworker, case, "support_prosecution")
    consent(as_caseworker, case, "support_prosecution", granted=False)
    case.refresh_from_db()
    assert case.justice_stage == "none"
    assert not CaseTransition.objects.filter(case=case, lifecycle="justice").exists()
    kinds = [row["kind"] for row in as_police.get(updates(share)).json()["results"]]
    assert kinds == ["prosecution_support_withdrawn"]


# Police involvement


def charity_involvement(case) -> str:
    return f"/api/v1/cases/{case.id}/police-involvement/"


def test_the_first_edit_with_the_etag_of_the_first_read_succeeds(as_caseworker, case):
    read = as_caseworker.get(charity_involvement(case))
    assert read.status_code == 200
    assert read.json()["investigation_status"] == "not_started"
    response = as_caseworker.patch(
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
    first = as_caseworker.patch(url, {"police_force": str(police_force.id)}, format="json")
    assert first.status_code == 200, first.json()
    etag = as_caseworker.get(url)["ETag"]
    response = as_caseworker.patch(
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
    stale = as_caseworker.patch(
        url, {"crime_reference": "overwrite"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412, stale.json()
    assert PoliceInvolvement.objects.get(case=case).crime_reference == "13/12345/25"


def test_the_force_keeps_police_involvement_through_its_share(
    as_caseworker, as_police, case, police_force, police_liaison
):
    share = share_identified(as_caseworker, case, police_force)
    response = as_police.patch(
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
    as_caseworker, as_police, case, police_force, other_force
):
    share = share_identified(as_caseworker, case, police_force)
    response = as_police.patch(
        involvement(share), {"police_force": str(other_force.id)}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "police_force" in response.json()["fields"]
    assert not PoliceInvolvement.objects.filter(case=case, police_force=other_force).exists()


def test_police_cannot_use_the_charitys_police_involvement_endpoint(as_police, case):
    assert as_police.get(charity_involvement(case)).status_code == 403
    response = as_police.patch(charity_involvement(case), {"officer_name": "x"}, format="json")
    assert response.status_code == 403
    assert not PoliceInvolvement.objects.exists()


# Integrations


def test_a_force_api_key_with_shared_cases_read_lists_that_forces_shares(
    as_caseworker, case, police_force, other_force
):
    share = share_identified(as_caseworker, case, police_force)
    _, secret = make_api_key(police_force, ["shared-cases:read"])
    integration = client_for_key(secret)
    [row] = integration.get(SHARED).json()["results"]
    assert row["share_reference"] == share.share_reference
    assert integration.get(detail(share)).status_code == 200
    _, other_secret = make_api_key(other_force, ["shared-cases:read"])
    other = client_for_key(other_secret)
    assert other.get(SHARED).json()["results"] == []
    assert other.get(detail(share)).status_code == 404
    withdraw(as_caseworker, case, police_force)
    assert integration.get(SHARED).json()["results"] == []
    assert integration.get(detail(share)).status_code == 404


def test_a_key_without_shared_cases_read_is_refused(as_caseworker, case, police_force, charity):
    share_identified(as_caseworker, case, police_force)
    key, secret = make_api_key(police_force, ["shared-cases:read"])
    ApiKey.objects.filter(pk=key.pk).update(scopes=[])
    response = client_for_key(secret).get(SHARED)
    assert response.status_code == 403, response.json()
    _, charity_secret = make_api_key(charity)
    assert client_for_key(charity_secret).get(SHARED).status_code == 403


def test_an_api_key_cannot_post_updates(as_caseworker, case, police_force):
    share = share_identified(as_caseworker, case, police_force)
    _, secret = make_api_key(police_force, ["shared-cases:read"])
    assert post_update(client_for_key(secret), share).status_code == 403
    assert not SharedUpdate.objects.exists()


# Auditing reads


def test_every_police_read_of_a_shared_case_is_audited(
    as_caseworker, as_police, case, police_force, police_liaison
):
    share = share_identified(as_caseworker, case, police_force)
    for _ in range(2):
        assert as_police.get(detail(share)).status_code == 200
    reads = AuditEvent.objects.filter(action="shared_case.read")
    assert reads.count() == 2
    for event in reads:
        assert event.actor == police_liaison
        assert event.case_id == case.id
        assert event.object_id == str(share.pk)


# Rebuilding derived sharing state


def rebuild(*args) -> str:
    out = StringIO()
    call_command("rebuild_sharing", *args, stdout=out)
    return out.getvalue()


def test_rebuild_sharing_reports_nothing_on_a_consistent_database(
    as_caseworker, caseworker, case, police_force, other_force
):
    share_identified(as_caseworker, case, police_force, contact_directly=True)
    consent(as_caseworker, case, "share_anonymous_intelligence", force=other_force)
    second = open_case(caseworker)
    share_identified(as_caseworker, second, police_force)
    withdraw(as_caseworker, second, police_force)
    before = list(
        SharedCaseGroupObjectPermission.objects.values_list("pk", flat=True).order_by("pk")
    )
    output = rebuild()
    assert "drift" not in output
    assert "repaired 0" in output
    after = list(
        SharedCaseGroupObjectPermission.objects.values_list("pk", flat=True).order_by("pk")
    )
    assert after == before


def test_rebuild_sharing_restores_a_deleted_permission_row(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
    SharedCaseGroupObjectPermission.objects.filter(content_object=share).delete()
    assert as_police.get(detail(share)).status_code == 404
    output = rebuild()
    assert "drift" in output and share.share_reference in output
    assert "repaired 1" in output
    assert SharedCaseGroupObjectPermission.objects.filter(content_object=share).count() == 1
    assert as_police.get(detail(share)).status_code == 200
    assert "drift" not in rebuild()


def test_rebuild_sharing_removes_access_left_on_an_ended_share(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
    withdraw(as_caseworker, case, police_force)
    permission = SharedCaseGroupObjectPermission.objects.model._meta.get_field("permission")
    view = permission.related_model.objects.get(codename="view_sharedcase")
    SharedCaseGroupObjectPermission.objects.create(
        group=liaison_group(police_force), permission=view, content_object=share
    )
    output = rebuild()
    assert "drift" in output and share.share_reference in output
    assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()
    share.refresh_from_db()
    assert share.status == "ended"
    assert as_police.get(detail(share)).status_code == 404


def test_rebuild_sharing_dry_run_reports_but_repairs_nothing(
    as_caseworker, as_police, case, police_force
):
    share = share_identified(as_caseworker, case, police_force)
    SharedCaseGroupObjectPermission.objects.filter(content_object=share).delete()
    output = rebuild("--dry-run")
    assert "drift" in output and share.share_reference in output
    assert "would repair 1" in output
    assert not SharedCaseGroupObjectPermission.objects.filter(content_object=share).exists()
    assert as_police.get(detail(share)).status_code == 404
    assert "repaired 1" in rebuild()
    assert as_police.get(detail(share)).status_code == 200


def test_rebuild_sharing_never_touches_the_ledger(as_caseworker, case, police_force):
    share_identified(as_caseworker, case, police_force, contact_directly=True)
    SharedCaseGroupObjectPermission.objects.all().delete()
    before = list(ConsentDecision.objects.values_list("pk", "granted").order_by("pk"))
    rebuild()
    assert list(ConsentDecision.objects.values_list("pk", "granted").order_by("pk")) == before


# A withdrawal racing a police update


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_a_police_update_leaves_no_update_after_the_share_ended(
    caseworker, police_force, police_liaison
):
    as_caseworker, as_police = client_for(caseworker), client_for(police_liaison)
    for _ in range(4):
        case = open_case(caseworker)
        share = share_identified(as_caseworker, case, police_force)
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}

        def run(name, call, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=10)
                results[name] = call().status_code
            except Exception as error:  # reported below, not swallowed
                results[name] = error
            finally:
                connection.close()

        withdrawal = threading.Thread(
            target=run,
            args=(
                "withdrawal",
                lambda case=case: as_caseworker.post(
                    f"/api/v1/cases/{case.id}/consents/",
                    {
                        "scope": "share_with_police",
                        "granted": False,
                        "method": "verbal",
                        "police_force": str(police_force.id),
                    },
                    format="json",
                ),
            ),
        )
        update = threading.Thread(
            target=run, args=("update", lambda share=share: post_update(as_police, share))
        )
        for thread in (withdrawal, update):
            thread.start()
        for thread in (withdrawal, update):
            thread.join(30)
        assert not withdrawal.is_alive() and not update.is_alive()
        assert results["withdrawal"] == 201, results
        assert results["update"] in (201, 404, 409), results

        share.refresh_from_db()
        withdrawn = ConsentDecision.objects.filter(
            case=case, scope="share_with_police", granted=False
        ).exists()
        assert withdrawn
        assert share.status == "ended" and share.ended_at is not None
        police_updates = SharedUpdate.objects.filter(shared_case=share, from_police=True)
        assert not police_updates.filter(created_at__gt=share.ended_at).exists()
        assert police_updates.count() == (1 if results["update"] == 201 else 0)
        assert as_police.get(detail(share)).status_code == 404
        assert post_update(as_police, share).status_code == 404
