"""The rights of the Victims' Code on a case as the ISVA sees them: opened by what triggers
them (reporting, a charge, a trial listed) or recorded by hand (a qualifying sentence, a
complaint), each with its provider and due date, met, due, overdue or not applicable; marking
one met before it arose, or answering a complaint before it was made, is refused; and an
overdue one becomes a reminder."""

import pytest

from casework.reminders.models import Reminder
from casework.reminders.scan import run_scan

from .world import at, case_url, hearing_body, hearings_url, move, open_case, transition

pytestmark = pytest.mark.django_db


def rights_of(api, case) -> dict:
    response = api.get(case_url(case, "rights/"))
    assert response.status_code == 200, response.json()
    return {row["right"]: row for row in response.json()["rights"]}


@pytest.fixture
def reported(isva, clock):
    """A rape case (enhanced rights) reported to police on Wednesday 23 December 2026."""
    clock.move_to(at(2026, 12, 23))
    case = open_case(isva, stage="none")
    [api] = move(clock, at(2026, 12, 23), isva)
    response = transition(api, case, "reported")
    assert response.status_code == 200, response.json()
    return case


def test_reporting_opens_information_and_referral_with_the_codes_due_dates(isva, clock, reported):
    [api] = move(clock, at(2026, 12, 23, 15), isva)
    rights = rights_of(api, reported)

    [info] = rights["information_on_reporting"]["entitlements"]
    [referral] = rights["referral_to_support"]["entitlements"]
    assert (info["provider"], info["due_on"], info["paragraph"]) == (
        "police",
        "2026-12-24",
        "Right 3, paragraph 3.6",
    )
    assert (referral["provider"], referral["due_on"]) == ("police", "2026-12-29")
    assert rights["referral_to_support"]["state"] == "due"
    assert rights["victim_contact_scheme"] == {
        **rights["victim_contact_scheme"],
        "state": "not_applicable",
        "triggered": False,
    }


def test_an_open_right_past_its_day_is_overdue_and_becomes_a_reminder(isva, clock, reported):
    [api] = move(clock, at(2026, 12, 30), isva)
    rights = rights_of(api, reported)
    assert rights["referral_to_support"]["state"] == "overdue"

    run_scan(at(2026, 12, 30, 10))

    reminders = Reminder.objects.filter(case=reported, kind="victims_code_overdue")
    assert {r.detail["right"] for r in reminders} == {
        "information_on_reporting",
        "referral_to_support",
    }
    assert {r.assignee_id for r in reminders} == {isva.pk}


def test_a_right_met_in_time_is_met_and_one_met_before_it_arose_is_refused(isva, clock, reported):
    [api] = move(clock, at(2026, 12, 24), isva)
    [referral] = rights_of(api, reported)["referral_to_support"]["entitlements"]
    url = f"/api/v1/entitlements/{referral['id']}/"

    early = api.post(f"{url}met/", {"met_on": "2026-12-22"})
    future = api.post(f"{url}met/", {"met_on": "2026-12-25"})
    for refused in (early, future):
        assert refused.status_code == 400, refused.json()
        assert "met_on" in refused.json()["fields"]

    done = api.post(f"{url}met/", {"met_on": "2026-12-24"})
    assert done.status_code == 200, done.json()
    assert rights_of(api, reported)["referral_to_support"]["state"] == "met"
    again = api.post(f"{url}met/", {"met_on": "2026-12-24"})
    assert again.status_code == 409


def test_a_trial_listed_owes_its_dates_through_the_witness_care_unit(isva, clock):
    case = open_case(isva, stage="awaiting_trial")
    [api] = move(clock, at(2026, 12, 24), isva)
    listed = api.post(
        hearings_url(case), hearing_body(at(2027, 3, 1), hearing_type="trial"), format="json"
    )
    assert listed.status_code == 201, listed.json()

    [trial] = rights_of(api, case)["trial_information"]["entitlements"]
    assert (trial["provider"], trial["triggered_on"], trial["due_on"]) == (
        "witness_care_unit",
        "2026-12-24",
        "2026-12-29",
    )


def test_a_charge_owes_the_offer_of_a_personal_statement_before_sentencing(isva, clock):
    case = open_case(isva, stage="under_investigation")
    [api] = move(clock, at(2027, 1, 6), isva)
    charged = transition(
        api, case, "charged", decision={"decided_on": "2027-01-06", "client_told_on": "2027-01-06"}
    )
    assert charged.status_code == 200, charged.json()

    statement = rights_of(api, case)["personal_statement"]
    assert statement["state"] == "due"
    assert statement["entitlements"][0]["due_on"] is None
    listed = api.get("/api/v1/entitlements/").json()["results"]
    [offer] = [e for e in listed if e["right"] == "personal_statement"]
    assert offer["overdue"] is False


def test_a_qualifying_sentence_is_recorded_by_hand_once(isva, clock):
    case = open_case(isva, stage="sentenced")
    [api] = move(clock, at(2027, 1, 6), isva)
    body = {"right": "victim_contact_scheme", "triggered_on": "2026-12-21"}

    recorded = api.post(case_url(case, "rights/"), body)
    twice = api.post(case_url(case, "rights/"), body)

    assert recorded.status_code == 201, recorded.json()
    assert (recorded.json()["provider"], recorded.json()["due_on"]) == (
        "probation_service",
        "2027-01-07",
    )
    assert twice.status_code == 409
    refused = api.post(
        case_url(case, "rights/"), {"right": "referral_to_support", "triggered_on": "2027-01-05"}
    )
    assert refused.status_code == 400


def test_a_complaint_is_acknowledged_and_answered_never_before_it_was_made(isva, clock):
    case = open_case(isva, stage="charged")
    [api] = move(clock, at(2027, 1, 6), isva)
    no_provider = api.post(
        case_url(case, "rights/"), {"right": "complaint", "triggered_on": "2027-01-04"}
    )
    assert no_provider.status_code == 400
    made = api.post(
        case_url(case, "rights/"),
        {"right": "complaint", "triggered_on": "2027-01-04", "provider": "cps"},
    )
    assert made.status_code == 201, made.json()
    url = f"/api/v1/entitlements/{made.json()['id']}/"

    assert api.post(f"{url}met/", {"met_on": "2027-01-03"}).status_code == 400
    assert api.post(f"{url}acknowledged/", {"acknowledged_on": "2027-01-03"}).status_code == 400
    assert api.post(f"{url}acknowledged/", {"acknowledged_on": "2027-01-05"}).status_code == 200
    assert api.post(f"{url}met/", {"met_on": "2027-01-04"}).status_code == 400
    answered = api.post(f"{url}met/", {"met_on": "2027-01-06"})
    assert answered.status_code == 200, answered.json()
    assert (answered.json()["acknowledged_on"], answered.json()["met_on"]) == (
        "2027-01-05",
        "2027-01-06",
    )
    assert rights_of(api, case)["complaint"]["state"] == "met"


def test_a_right_that_does_not_apply_says_why(isva, clock, reported):
    [api] = move(clock, at(2026, 12, 24), isva)
    [info] = rights_of(api, reported)["information_on_reporting"]["entitlements"]
    url = f"/api/v1/entitlements/{info['id']}/not-applicable/"

    assert api.post(url, {"reason": "  "}).status_code == 400
    done = api.post(url, {"reason": "The client asked not to be contacted by the police."})

    assert done.status_code == 200, done.json()
    assert rights_of(api, reported)["information_on_reporting"]["state"] == "not_applicable"


def test_other_staff_see_no_rights_of_a_case_they_do_not_work(isva, clock, reported):
    from ...conftest import client_for
    from ...factories import UserFactory

    stranger = client_for(UserFactory(role="isva"))
    assert stranger.get(case_url(reported, "rights/")).status_code == 404
