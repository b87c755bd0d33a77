"""A force asks, through its share, for records the charity holds; the client is told; a
supervisor releases all, part or none, with reasons; what is released is kept as sent, and the
force sees the status, the decision and the package, and nothing else."""

import json

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import ContactLogEntry, Note
from casework.disclosures.models import Disclosure, RecordsRequest
from casework.sharing.models import SharedCase

from ...conftest import client_for
from ...factories import SupervisorFactory
from ..police_sharing.world import CONTACT_NOTE, INTERNAL_NOTE, withdraw
from .world import case_requests_url, requests_url, share_with

pytestmark = pytest.mark.django_db

ASKED = {
    "material": "Notes of the client's account of the robbery on the night.",
    "line_of_enquiry": "Whether the suspect was at the arches at 11pm.",
    "necessity": "The client's account is the only record of the suspect's words.",
    "proportionality": "Only the night's notes, not the rest of the file.",
}
POLICE_FIELDS = {
    "id",
    "material",
    "line_of_enquiry",
    "necessity",
    "proportionality",
    "requested_at",
    "status",
    "decision",
    "reason_for_police",
    "decided_on",
    "package",
}


@pytest.fixture
def share(as_caseworker, case, police_force) -> SharedCase:
    share_with(as_caseworker, case, police_force, level="identified")
    return SharedCase.objects.get(case=case, police_force=police_force)


@pytest.fixture
def asked(as_police, share) -> dict:
    response = as_police.post(requests_url(share), ASKED, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def action(case, request_id: str, verb: str) -> str:
    return f"{case_requests_url(case)}{request_id}/{verb}/"


def nothing_changed(request_id: str) -> None:
    request = RecordsRequest.objects.get(pk=request_id)
    assert (request.status, request.decision, request.disclosure_id) == (
        "awaiting_decision",
        "",
        None,
    )
    assert not Disclosure.objects.filter(kind="records_release").exists()


def test_a_request_goes_through_a_partial_release_with_the_client_told_first(
    as_police, as_caseworker, as_supervisor, case, share, asked
):
    assert asked["status"] == "awaiting_decision"
    assert set(asked) == POLICE_FIELDS
    # The charity sees it on the case, the force's stated grounds with it, due in ten working days.
    [row] = as_caseworker.get(case_requests_url(case)).json()["results"]
    assert row["id"] == asked["id"]
    assert row["line_of_enquiry"] == ASKED["line_of_enquiry"]
    assert row["share_reference"] == share.share_reference
    assert row["respond_by"] > timezone.localdate().isoformat()

    note = next(n for n in Note.objects.filter(case=case) if n.body == INTERNAL_NOTE)
    entry = ContactLogEntry.objects.get(case=case)
    decision = {
        "decision": "release_part",
        "reason": "The night's notes only; the rest is not relevant to the enquiry.",
        "reason_for_police": "Released in part: the notes of the night.",
        "records": [
            {"kind": "note", "id": str(note.pk)},
            {"kind": "contact_log_entry", "id": str(entry.pk)},
        ],
        "summary": "The client called from a payphone that night.",
    }
    # Not before the client is told.
    early = as_supervisor.post(action(case, asked["id"], "decide"), decision, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "client_not_told"
    nothing_changed(asked["id"])

    told = as_caseworker.post(
        action(case, asked["id"], "client-told"),
        {"told_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert told.status_code == 200, told.json()
    assert told.json()["client_told_on"] == timezone.localdate().isoformat()
    assert AuditEvent.objects.filter(action="records_request.client_told").exists()

    # A caseworker may not decide; a supervisor does.
    assert (
        as_caseworker.post(action(case, asked["id"], "decide"), decision, format="json").status_code
        == 403
    )
    decided = as_supervisor.post(action(case, asked["id"], "decide"), decision, format="json")
    assert decided.status_code == 200, decided.json()
    body = decided.json()
    assert (body["status"], body["decision"]) == ("partly_released", "release_part")
    assert body["decision_reason"] == decision["reason"]

    released = Disclosure.objects.get(pk=body["disclosure"])
    assert (released.kind, released.recipient_id, released.shared_case_id) == (
        "records_release",
        share.police_force_id,
        share.pk,
    )
    assert released.consent_decision.scope == "share_with_police"
    package = json.loads(released.content)
    assert [r["id"] for r in package["records"]] == [str(note.pk), str(entry.pk)]
    assert package["records"][0]["body"] == INTERNAL_NOTE
    assert package["records"][1]["note"] == CONTACT_NOTE
    assert package["summary"] == decision["summary"]

    # The force sees where it stands, the decision, its short reason and the package as sent.
    seen = as_police.get(f"{requests_url(share)}{asked['id']}/")
    assert seen.status_code == 200
    police_view = seen.json()
    assert set(police_view) == POLICE_FIELDS
    assert (police_view["status"], police_view["decision"]) == ("partly_released", "release_part")
    assert police_view["reason_for_police"] == decision["reason_for_police"]
    assert police_view["package"] == package
    text = seen.content.decode()
    assert decision["reason"] not in text
    assert "client_told" not in text
    [listed] = as_police.get(requests_url(share)).json()["results"]
    assert listed == police_view

    # Deciding twice changes nothing.
    again = as_supervisor.post(
        action(case, asked["id"], "decide"),
        {"decision": "refuse", "reason": "x", "reason_for_police": "x"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_decided"
    assert RecordsRequest.objects.get(pk=asked["id"]).decision == "release_part"
    assert Disclosure.objects.filter(kind="records_release").count() == 1


def test_a_part_release_with_nothing_chosen_is_refused(as_caseworker, as_supervisor, case, asked):
    as_caseworker.post(
        action(case, asked["id"], "client-told"),
        {"told_on": timezone.localdate().isoformat()},
        format="json",
    )
    response = as_supervisor.post(
        action(case, asked["id"], "decide"),
        {"decision": "release_part", "reason": "Some of it.", "records": [], "summary": ""},
        format="json",
    )
    assert response.status_code == 400
    assert "records" in response.json()["fields"]
    nothing_changed(asked["id"])


def test_a_record_of_another_case_cannot_be_released(
    as_caseworker, as_supervisor, caseworker, case, asked
):
    from casework.cases.services.contacts import note_add

    from ..police_sharing.world import open_case

    elsewhere = note_add(
        case=open_case(caseworker), author=caseworker, body="Another client", visibility="internal"
    )
    as_caseworker.post(
        action(case, asked["id"], "client-told"),
        {"not_told_reason": "Telling her now would put her at risk from the suspect."},
        format="json",
    )
    response = as_supervisor.post(
        action(case, asked["id"], "decide"),
        {
            "decision": "release_all",
            "reason": "All of it.",
            "records": [{"kind": "note", "id": str(elsewhere.pk)}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "records" in response.json()["fields"]
    nothing_changed(asked["id"])


def test_a_release_may_go_ahead_when_not_telling_the_client_is_recorded_with_its_reason(
    as_police, as_caseworker, as_supervisor, case, share, asked
):
    empty = as_caseworker.post(action(case, asked["id"], "client-told"), {}, format="json")
    assert empty.status_code == 400
    exception = as_caseworker.post(
        action(case, asked["id"], "client-told"),
        {"not_told_reason": "Telling her now would put her at risk from the suspect."},
        format="json",
    )
    assert exception.status_code == 200, exception.json()
    decided = as_supervisor.post(
        action(case, asked["id"], "decide"),
        {"decision": "release_all", "reason": "Relevant and proportionate.", "summary": "Summary."},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    assert as_police.get(f"{requests_url(share)}{asked['id']}/").json()["package"]["summary"] == (
        "Summary."
    )


def test_a_refusal_tells_the_force_only_its_short_reason(
    as_police, as_supervisor, case, share, asked
):
    no_reason = as_supervisor.post(
        action(case, asked["id"], "decide"),
        {"decision": "refuse", "reason": "Not proportionate."},
        format="json",
    )
    assert no_reason.status_code == 400
    assert "reason_for_police" in no_reason.json()["fields"]
    refused = as_supervisor.post(
        action(case, asked["id"], "decide"),
        {
            "decision": "refuse",
            "reason": "Counselling notes; the client fears the defence reading them.",
            "reason_for_police": "Refused: not proportionate to the line of enquiry.",
        },
        format="json",
    )
    assert refused.status_code == 200, refused.json()
    seen = as_police.get(f"{requests_url(share)}{asked['id']}/")
    assert (seen.json()["status"], seen.json()["package"]) == ("refused", None)
    assert "Counselling" not in seen.content.decode()
    assert not Disclosure.objects.filter(kind="records_release").exists()


def test_no_request_on_an_ended_share_and_no_decision_on_another_charitys_request(
    as_police, as_caseworker, case, share, asked, police_force, other_charity
):
    other_supervisor = client_for(SupervisorFactory(organisation=other_charity))
    outside = other_supervisor.post(
        action(case, asked["id"], "decide"),
        {"decision": "refuse", "reason": "x", "reason_for_police": "x"},
        format="json",
    )
    assert outside.status_code == 404
    nothing_changed(asked["id"])

    withdraw(as_caseworker, case, police_force)
    ended = as_police.post(requests_url(share), ASKED, format="json")
    assert ended.status_code == 404
    assert as_police.get(f"{requests_url(share)}{asked['id']}/").status_code == 404
    assert RecordsRequest.objects.count() == 1


def test_another_force_cannot_ask_through_a_share_not_its_own(as_other_police, share):
    assert as_other_police.post(requests_url(share), ASKED, format="json").status_code == 404
    assert not RecordsRequest.objects.exists()


def test_a_request_states_every_ground(as_police, share):
    response = as_police.post(requests_url(share), {**ASKED, "necessity": ""}, format="json")
    assert response.status_code == 400
    assert "necessity" in response.json()["fields"]
    assert not RecordsRequest.objects.exists()
