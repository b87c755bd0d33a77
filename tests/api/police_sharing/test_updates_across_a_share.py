"""Updates across a share: what police post reaches the charity's timeline, what the charity
shares reaches the force as from the charity, and a withdrawn prosecution tells the force
nothing more."""

import pytest

from casework.audit.models import AuditEvent
from casework.cases.models import CaseTransition, Note
from casework.sharing.models import SharedCase, SharedUpdate
from casework.sharing.services import PROSECUTION_WITHDRAWN_MESSAGE

from ...factories import SharedCaseFactory
from .world import (
    LEGAL_NAME,
    PSEUDONYM,
    assert_absent,
    consent,
    detail,
    post_update,
    timeline,
    updates,
    withdraw,
)

pytestmark = pytest.mark.django_db


def test_a_police_update_is_seen_by_the_force_and_on_the_charitys_timeline(
    as_caseworker, as_police, case, police_force, police_liaison
):
    share = SharedCaseFactory(case=case, police_force=police_force)
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
def test_police_may_only_post_investigation_or_court_updates(as_police, case, police_force, kind):
    share = SharedCaseFactory(case=case, police_force=police_force)
    response = post_update(as_police, share, kind=kind)
    assert response.status_code == 400, response.json()
    assert "kind" in response.json()["fields"]
    assert not SharedUpdate.objects.exists()


def test_a_court_update_is_accepted(as_police, case, police_force):
    share = SharedCaseFactory(case=case, police_force=police_force)
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
    SharedCaseFactory(case=case, police_force=police_force)
    withdraw(as_caseworker, case, police_force)
    assert as_caseworker.post(url, note, format="json").status_code == 400
    assert not Note.objects.filter(visibility="shared").exists()
    assert not SharedUpdate.objects.exists()
    assert Note.objects.filter(case=case).count() == 1  # the internal note of the set-up


def test_a_shared_note_reaches_the_force_as_from_the_charity(
    as_caseworker, as_police, as_other_police, case, police_force, other_force, charity, caseworker
):
    share = SharedCaseFactory(case=case, police_force=police_force)
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
    share = SharedCaseFactory(case=case, police_force=police_force)
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
    share = SharedCaseFactory(case=case, police_force=police_force)
    consent(as_caseworker, case, "support_prosecution")
    consent(as_caseworker, case, "support_prosecution", granted=False)
    case.refresh_from_db()
    assert case.justice_stage == "none"
    assert not CaseTransition.objects.filter(case=case, lifecycle="justice").exists()
    kinds = [row["kind"] for row in as_police.get(updates(share)).json()["results"]]
    assert kinds == ["prosecution_support_withdrawn"]
