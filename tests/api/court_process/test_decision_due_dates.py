"""Justice decisions and the Victims' Code entitlements they open, each due on the day worked
out by hand from the calendar (weekends and the England and Wales bank holidays), from
referral to sentence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseTransition
from casework.court.models import Entitlement, JusticeDecision

from ...conftest import client_for
from ...editing import edit
from ...factories import SupervisorFactory
from .world import (
    CROWN,
    MAGISTRATES,
    PSEUDONYM,
    assert_refused,
    at,
    case_url,
    decisions_url,
    hearing_body,
    hearings_url,
    move,
    open_case,
    results,
    transition,
)

pytestmark = pytest.mark.django_db


# --- the whole process ----------------------------------------------------------------------


def test_a_rape_case_from_referral_to_sentence_has_every_decision_due_on_the_right_day(
    clock, isva, charity
):
    # Monday 14 December 2026: a referral arrives and is accepted.
    (api,) = move(clock, at(2026, 12, 14), isva)
    referral = api.post(
        "/api/v1/referrals/",
        {
            "source": "police",
            "summary": "Raped by a client at a flat in Holbeck; reported to police.",
            "offence_types": ["rape"],
            "incident_date": "2026-12-12",
            "person_pseudonym": PSEUDONYM,
        },
    )
    assert referral.status_code == 201, referral.json()
    accepted = api.post(
        f"/api/v1/referrals/{referral.json()['id']}/accept/",
        {"new_client": {"pseudonym": PSEUDONYM}},
    )
    assert accepted.status_code == 201, accepted.json()
    case = Case.objects.get(pk=accepted.json()["id"])
    assert case.organisation == charity and case.offence_types == ["rape"]

    reported = transition(api, case, "reported")
    assert reported.status_code == 200, reported.json()
    assert reported.json()["justice_stage"] == "reported"
    assert results(api.get(decisions_url(case))) == []

    # Wednesday 30 December 2026: the suspect was charged on Thursday 24 December.
    (api,) = move(clock, at(2026, 12, 30), isva)
    without = transition(api, case, "charged")
    assert_refused(without, "decision")
    case.refresh_from_db()
    assert case.justice_stage == "reported"

    charged = transition(api, case, "charged", {"decided_on": "2026-12-24"})
    assert charged.status_code == 200, charged.json()
    assert charged.json()["justice_stage"] == "charged"
    [charge] = results(api.get(decisions_url(case)))
    # Enhanced rights (rape): one working day. Fri 25 Christmas, weekend, Mon 28 Boxing Day
    # (substitute): Tuesday 29 December.
    assert charge["kind"] == "charge"
    assert charge["decided_on"] == "2026-12-24"
    assert charge["due_on"] == "2026-12-29"
    assert charge["entitlement_status"] == "open"
    assert charge["client_told_on"] is None
    listed = results(api.get("/api/v1/entitlements/", {"state": "overdue"}))
    # Reporting on the 23rd also owed information (Right 3) and a referral (Right 4).
    assert sorted(e["right"] for e in listed) == [
        "information_on_reporting",
        "referral_to_support",
        "told_of_decision",
    ]
    [overdue] = [e for e in listed if e["right"] == "told_of_decision"]
    assert overdue["case"] == {"id": str(case.id), "reference": case.reference}
    assert (overdue["decision"], overdue["due_on"], overdue["overdue"]) == (
        "charge",
        "2026-12-29",
        True,
    )
    assert (overdue["enhanced"], overdue["working_days"]) == (True, 1)

    told = api.post(f"{decisions_url(case)}{charge['id']}/client-told/", {"told_on": "2026-12-30"})
    assert told.status_code == 200, told.json()
    assert told.json()["client_told_on"] == "2026-12-30"
    assert told.json()["entitlement_status"] == "met"
    again = api.post(f"{decisions_url(case)}{charge['id']}/client-told/", {"told_on": "2026-12-30"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_told"
    still = results(api.get("/api/v1/entitlements/", {"state": "overdue"}))
    assert sorted(e["right"] for e in still) == ["information_on_reporting", "referral_to_support"]
    [met] = results(api.get("/api/v1/entitlements/", {"state": "met"}))
    assert (met["decision"], met["met_on"], met["overdue"]) == ("charge", "2026-12-30", False)

    # The first hearing is listed, and the client is told the same day.
    first = api.post(
        hearings_url(case),
        hearing_body(at(2027, 1, 11), attendees=[str(isva.id)]),
    )
    assert first.status_code == 201, first.json()
    assert first.json()["attendees"] == [isva.username]
    listed = api.post(
        decisions_url(case),
        {"kind": "first_hearing", "decided_on": "2026-12-30", "client_told_on": "2026-12-30"},
    )
    assert listed.status_code == 201, listed.json()
    # Wed 30 Dec + 1 working day: Thursday 31 December.
    assert (listed.json()["due_on"], listed.json()["entitlement_status"]) == ("2026-12-31", "met")

    # Monday 11 January 2027, afternoon: the first hearing sends the case to the Crown Court.
    (api,) = move(clock, at(2027, 1, 11, 15), isva)
    done = edit(
        api,
        f"{hearings_url(case)}{first.json()['id']}/",
        {"status": "completed", "outcome": "Sent to the Crown Court."},
    )
    assert done.status_code == 200, done.json()
    assert transition(api, case, "awaiting_trial").status_code == 200
    trial = api.post(
        hearings_url(case),
        hearing_body(
            at(2027, 3, 8),
            hearing_type="trial",
            court=CROWN,
            special_measures_requested=["screens", "live_link"],
            special_measures_granted=["screens"],
        ),
    )
    assert trial.status_code == 201, trial.json()
    assert trial.json()["special_measures_granted"] == ["screens"]

    # Friday 12 March 2027, afternoon: guilty verdict, the client told at once.
    (api,) = move(clock, at(2027, 3, 12, 16), isva)
    assert edit(api, f"{hearings_url(case)}{trial.json()['id']}/", {"status": "completed"}).json()[
        "status"
    ] == ("completed")
    assert transition(api, case, "at_trial").status_code == 200
    verdict = transition(
        api, case, "verdict", {"decided_on": "2027-03-12", "client_told_on": "2027-03-12"}
    )
    assert verdict.status_code == 200, verdict.json()
    sentencing = api.post(
        hearings_url(case),
        hearing_body(at(2027, 3, 25), hearing_type="sentencing", court=CROWN),
    )
    assert sentencing.status_code == 201, sentencing.json()

    # Wednesday 31 March 2027: sentence was passed on Thursday 25 March (before Easter).
    (api,) = move(clock, at(2027, 3, 31), isva)
    completed = edit(
        api,
        f"{hearings_url(case)}{sentencing.json()['id']}/",
        {"status": "completed", "outcome": "Eight years."},
    )
    assert completed.status_code == 200, completed.json()
    sentenced = transition(
        api, case, "sentenced", {"decided_on": "2027-03-25", "client_told_on": "2027-03-26"}
    )
    assert sentenced.status_code == 200, sentenced.json()
    assert sentenced.json()["justice_stage"] == "sentenced"

    decisions = {d["kind"]: d for d in results(api.get(decisions_url(case)))}
    assert {kind: d["due_on"] for kind, d in decisions.items()} == {
        "charge": "2026-12-29",
        "first_hearing": "2026-12-31",
        # Fri 12 Mar + 1: Monday 15 March.
        "verdict": "2027-03-15",
        # Thu 25 Mar + 1: Good Friday 26, weekend, Easter Monday 29: Tuesday 30 March.
        "sentence": "2027-03-30",
    }
    assert {d["entitlement_status"] for d in decisions.values()} == {"met"}
    assert decisions["sentence"]["client_told_on"] == "2027-03-26"
    # Every decision's entitlement is met; what reporting, the charge and the trial owed
    # (Rights 3, 4, 7 and 8) stays open until the ISVA records it met.
    still_open = results(api.get("/api/v1/entitlements/", {"state": "open"}))
    assert "told_of_decision" not in {e["right"] for e in still_open}

    items = api.get(case_url(case, "timeline/"), {"page_size": 100}).json()["results"]
    kinds = [item["kind"] for item in items]
    assert kinds.count("decision") == 4
    assert kinds.count("court_event") == 3
    sentence_item = next(
        i for i in items if i["kind"] == "decision" and i["data"]["decision"] == "sentence"
    )
    assert sentence_item["data"]["tell_client_by"] == "2027-03-30"
    assert sentence_item["data"]["entitlement"] == "met"
    assert sentence_item["actor"] == isva.username
    courts = {i["data"]["court"] for i in items if i["kind"] == "court_event"}
    assert courts == {MAGISTRATES, CROWN}

    case.refresh_from_db()
    assert case.justice_stage == "sentenced"
    # The clock stands still within each day, so the moves are compared as a chain of steps.
    assert set(
        CaseTransition.objects.filter(case=case, lifecycle="justice").values_list(
            "from_state", "to_state"
        )
    ) == {
        ("none", "reported"),
        ("reported", "charged"),
        ("charged", "awaiting_trial"),
        ("awaiting_trial", "at_trial"),
        ("at_trial", "verdict"),
        ("verdict", "sentenced"),
    }


# --- due dates --------------------------------------------------------------------------------


def test_a_theft_charge_gives_five_working_days_across_christmas_and_new_year(
    as_caseworker, caseworker
):
    case = open_case(caseworker, offences=["theft"], stage="reported")
    response = transition(as_caseworker, case, "charged", {"decided_on": "2026-12-24"})
    assert response.status_code == 200, response.json()
    [decision] = results(as_caseworker.get(decisions_url(case)))
    # Thu 24 Dec 2026: Tue 29, Wed 30, Thu 31, (Fri 1 Jan bank holiday, weekend), Mon 4, Tue 5.
    assert decision["due_on"] == "2027-01-05"
    entitlement = Entitlement.objects.get(case=case, right="told_of_decision")
    assert (entitlement.enhanced, entitlement.working_days) == (False, 5)
    # Today is Wednesday 6 January: a day late.
    [overdue] = results(as_caseworker.get("/api/v1/entitlements/", {"state": "overdue"}))
    assert overdue["due_on"] == "2027-01-05" and overdue["overdue"] is True


def test_a_vulnerable_theft_victim_has_one_working_day(as_caseworker, caseworker):
    case = open_case(caseworker, offences=["theft"], flags=["mental_health"], stage="reported")
    response = transition(as_caseworker, case, "charged", {"decided_on": "2026-12-24"})
    assert response.status_code == 200, response.json()
    [decision] = results(as_caseworker.get(decisions_url(case)))
    assert decision["due_on"] == "2026-12-29"


def test_a_decision_recorded_directly_is_due_after_the_new_year_holiday(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        decisions_url(case), {"kind": "arrest", "decided_on": "2026-12-31"}
    )
    assert response.status_code == 201, response.json()
    # Thu 31 Dec 2026 + 1: Fri 1 Jan bank holiday, weekend: Monday 4 January.
    assert response.json()["due_on"] == "2027-01-04"
    assert response.json()["entitlement_status"] == "open"


def test_a_decision_recorded_directly_needs_its_kind(as_caseworker, caseworker):
    case = open_case(caseworker)
    assert_refused(as_caseworker.post(decisions_url(case), {"decided_on": "2027-01-04"}), "kind")
    assert not JusticeDecision.objects.exists()


def test_a_decision_recorded_directly_is_in_the_audit_trail(as_caseworker, caseworker):
    case = open_case(caseworker)
    decided_on = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = as_caseworker.post(decisions_url(case), {"kind": "arrest", "decided_on": decided_on})
    assert response.status_code == 201, response.json()
    event = AuditEvent.objects.get(action="justice_decision.record")
    assert event.actor_id == caseworker.pk
    assert event.case_id == case.pk
    assert event.detail == {"kind": "arrest"}
    supervisor = client_for(SupervisorFactory(organisation=caseworker.organisation))
    trail = supervisor.get(f"/api/v1/audit-events/?case={case.pk}&action=justice_decision.")
    assert [e["id"] for e in trail.json()["results"]] == [str(event.public_id)]
