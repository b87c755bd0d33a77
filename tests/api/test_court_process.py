"""The court process through the API: justice decisions and the Victims' Code entitlements they
open, hearings and their history, the caseload, the calendar feed, and what a sharing force sees.

Every due date below is worked out by hand from the calendar (weekends and the England and Wales
bank holidays), never by the code under test. Time is frozen: the clock starts on Wednesday
6 January 2027 and tests move it where they need another day."""

from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from casework.cases.models import Case, CaseTransition
from casework.cases.services.cases import case_create
from casework.cases.services.contacts import contact_log
from casework.clients.services import client_create, contact_method_add
from casework.court.models import CourtEvent, CourtEventDateChange, Entitlement, JusticeDecision
from casework.court.services import court_event_add, record_decision
from casework.sharing.models import SharedCase
from casework.sharing.services import consent_record

from ..conftest import client_for
from ..factories import PoliceForceFactory, PoliceLiaisonFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")

PSEUDONYM = "Marigold Quill"
LEGAL_NAME = "Theodora Vance-Pemberton"
PHONE = "07700 900461"
PHONE_E164 = "+447700900461"
PHONE_NATIONAL = "07700900461"

MAGISTRATES = "Leeds Magistrates' Court"
CROWN = "Leeds Crown Court"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


TODAY = at(2027, 1, 6)  # Wednesday 6 January 2027


@pytest.fixture(autouse=True)
def clock():
    """Frozen before any other fixture signs anyone in, so their tokens are fresh."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def move(clock, moment: datetime, *users):
    """Moves the clock and signs the people in again (a sign-in token idles out in 30 minutes)."""
    clock.move_to(moment)
    return [client_for(user) for user in users]


# --- set-up -------------------------------------------------------------------------------


def open_case(
    owner,
    *,
    offences=("rape",),
    flags=(),
    assigned=(),
    pseudonym="Wren",
    stage=None,
    **extra,
) -> Case:
    client = client_create(
        organisation=owner.organisation,
        created_by=owner,
        pseudonym=pseudonym,
        vulnerability_flags=list(flags),
    )
    case = case_create(
        client=client,
        opened_by=owner,
        offence_types=list(offences),
        assigned_to=list(assigned),
        **extra,
    )
    if stage is not None:
        Case.objects.filter(pk=case.pk).update(justice_stage=stage)
        case.refresh_from_db()
    return case


def decide(case, decided_on: date, *, kind="arrest", told_on: date | None = None):
    return record_decision(
        case=case,
        transition=None,
        kind=kind,
        decided_on=decided_on,
        client_told_on=told_on,
        actor=case.created_by,
    )


def hearing(case, starts_at: datetime, *, hearing_type="first_hearing", court=MAGISTRATES, **extra):
    return court_event_add(
        case=case,
        actor=case.created_by,
        hearing_type=hearing_type,
        court=court,
        starts_at=starts_at,
        **extra,
    )


def close(case) -> None:
    Case.objects.filter(pk=case.pk).update(support_status="closed", closed_at=timezone.now())


def case_url(case, tail: str = "") -> str:
    return f"/api/v1/cases/{getattr(case, 'pk', case)}/{tail}"


def hearings_url(case) -> str:
    return case_url(case, "court-events/")


def decisions_url(case) -> str:
    return case_url(case, "decisions/")


def transition(api, case, to: str, decision: dict | None = None, lifecycle: str = "justice"):
    body = {"lifecycle": lifecycle, "to": to, "reason": "As the officer in the case told us."}
    if decision is not None:
        body["decision"] = decision
    return api.post(case_url(case, "transitions/"), body)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_refused(response, field: str, status: int = 400) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "fields", "request_id"}
    assert body["code"] == "validation_error"
    assert field in body["fields"], body


def hearing_body(starts_at: datetime, **extra) -> dict:
    return {
        "hearing_type": "first_hearing",
        "court": MAGISTRATES,
        "starts_at": starts_at.isoformat(),
        **extra,
    }


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
    [overdue] = results(api.get("/api/v1/entitlements/", {"state": "overdue"}))
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
    assert results(api.get("/api/v1/entitlements/", {"state": "overdue"})) == []
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
    done = api.patch(
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
    assert api.patch(f"{hearings_url(case)}{trial.json()['id']}/", {"status": "completed"}).json()[
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
    completed = api.patch(
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
    assert results(api.get("/api/v1/entitlements/", {"state": "open"})) == []

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
    entitlement = Entitlement.objects.get(case=case)
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
    from casework.audit.models import AuditEvent

    from ..conftest import client_for
    from ..factories import SupervisorFactory

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


# --- refused decisions ----------------------------------------------------------------------


def _nothing_changed(case: Case, stage: str = "reported") -> None:
    version = case.version
    case.refresh_from_db()
    assert case.justice_stage == stage
    assert case.version == version
    assert not CaseTransition.objects.filter(case=case).exists()
    assert not JusticeDecision.objects.filter(case=case).exists()
    assert not Entitlement.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "to", ["charged", "no_further_action"], ids=["charged", "no_further_action"]
)
def test_a_justice_decision_move_without_its_decision_is_refused_and_changes_nothing(
    as_caseworker, caseworker, to
):
    case = open_case(caseworker, stage="reported")
    assert_refused(transition(as_caseworker, case, to), "decision")
    _nothing_changed(case)


def test_the_later_justice_decision_moves_need_their_decision_too(as_caseworker, caseworker):
    charged = open_case(caseworker, stage="charged")
    assert_refused(transition(as_caseworker, charged, "verdict"), "decision")
    _nothing_changed(charged, "charged")
    verdict = open_case(caseworker, stage="verdict")
    for to in ("sentenced", "appeal"):
        assert_refused(transition(as_caseworker, verdict, to), "decision")
    _nothing_changed(verdict, "verdict")


def test_a_justice_move_that_is_not_a_decision_needs_none(as_caseworker, caseworker):
    case = open_case(caseworker, stage="charged")
    assert transition(as_caseworker, case, "awaiting_trial").status_code == 200
    assert not JusticeDecision.objects.filter(case=case).exists()


def test_a_decision_dated_in_the_future_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker, stage="reported")
    response = transition(as_caseworker, case, "charged", {"decided_on": "2027-01-07"})
    assert_refused(response, "decided_on")
    _nothing_changed(case)
    direct = as_caseworker.post(decisions_url(case), {"kind": "arrest", "decided_on": "2027-01-07"})
    assert_refused(direct, "decided_on")
    assert not JusticeDecision.objects.exists()


def test_a_client_told_before_the_decision_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker, stage="reported")
    response = transition(
        as_caseworker,
        case,
        "charged",
        {"decided_on": "2027-01-05", "client_told_on": "2027-01-04"},
    )
    assert_refused(response, "client_told_on")
    _nothing_changed(case)


def test_a_client_told_in_the_future_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker, stage="reported")
    response = transition(
        as_caseworker,
        case,
        "charged",
        {"decided_on": "2027-01-05", "client_told_on": "2027-01-07"},
    )
    assert_refused(response, "client_told_on")
    _nothing_changed(case)


def test_a_decision_of_the_wrong_kind_for_the_move_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker, stage="reported")
    response = transition(
        as_caseworker, case, "charged", {"kind": "verdict", "decided_on": "2027-01-05"}
    )
    assert_refused(response, "decision")
    _nothing_changed(case)


def test_telling_the_client_marks_the_entitlement_met_once(as_caseworker, caseworker):
    case = open_case(caseworker)
    decision = decide(case, date(2027, 1, 5))
    url = f"{decisions_url(case)}{decision.pk}/client-told/"
    early = as_caseworker.post(url, {"told_on": "2027-01-04"})
    assert early.status_code == 400
    assert Entitlement.objects.get(decision=decision).status == "open"

    response = as_caseworker.post(url, {"told_on": "2027-01-06"})
    assert response.status_code == 200, response.json()
    entitlement = Entitlement.objects.get(decision=decision)
    assert (entitlement.status, entitlement.met_on) == ("met", date(2027, 1, 6))
    decision.refresh_from_db()
    assert decision.told_by == caseworker

    again = as_caseworker.post(url, {"told_on": "2027-01-06"})
    assert again.status_code == 409
    assert set(again.json()) >= {"code", "message", "request_id"}
    assert again.json()["code"] == "already_told"


@pytest.mark.parametrize("told_on", ["2027-01-04", "2027-01-07"], ids=["early", "future"])
def test_a_refused_told_on_is_named_by_the_field_that_was_sent(as_caseworker, caseworker, told_on):
    case = open_case(caseworker)
    decision = decide(case, date(2027, 1, 5))
    response = as_caseworker.post(
        f"{decisions_url(case)}{decision.pk}/client-told/", {"told_on": told_on}
    )
    assert_refused(response, "told_on")
    assert Entitlement.objects.get(decision=decision).status == "open"


# --- entitlement lists ------------------------------------------------------------------------


@pytest.fixture
def entitlements(caseworker, isva, supervisor, other_charity):
    """On Wednesday 6 January 2027: one decision in each state, on cases worked by different
    people, and one at another charity."""
    mine = open_case(caseworker)
    theirs = open_case(isva, offences=["theft"], assigned=[supervisor])
    also_theirs = open_case(isva, assigned=[supervisor])
    foreign = open_case(UserFactory(organisation=other_charity))
    return {
        # Thu 31 Dec + 1 (New Year's Day, weekend): Mon 4 Jan. Overdue.
        "overdue": decide(mine, date(2026, 12, 31)),
        # Tue 5 Jan + 1: Wed 6 Jan, today. Due soon.
        "today": decide(mine, date(2027, 1, 5), kind="release"),
        # Wed 6 Jan + 5 (theft): Thu 7, Fri 8, Mon 11, Tue 12, Wed 13. Open, not soon.
        "later": decide(theirs, date(2027, 1, 6), kind="charge"),
        # Wed 6 Jan + 1: Thu 7 Jan. Due soon.
        "tomorrow": decide(also_theirs, date(2027, 1, 6)),
        "met": decide(mine, date(2027, 1, 4), kind="charge", told_on=date(2027, 1, 5)),
        "foreign": decide(foreign, date(2026, 12, 31)),
    }


def _entitlement_ids(api, **query) -> set[str]:
    return {row["id"] for row in results(api.get("/api/v1/entitlements/", query))}


def _of(entitlements, *names) -> set[str]:
    return {str(entitlements[name].entitlement.pk) for name in names}


def test_entitlement_due_dates_are_the_hand_computed_ones(entitlements):
    due = {name: d.entitlement.due_on for name, d in entitlements.items()}
    assert due == {
        "overdue": date(2027, 1, 4),
        "today": date(2027, 1, 6),
        "later": date(2027, 1, 13),
        "tomorrow": date(2027, 1, 7),
        "met": date(2027, 1, 5),
        "foreign": date(2027, 1, 4),
    }


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("overdue", ("overdue",)),
        ("due_soon", ("today", "tomorrow")),
        ("open", ("overdue", "today", "later", "tomorrow")),
        ("met", ("met",)),
        (None, ("overdue", "today", "later", "tomorrow", "met")),
    ],
)
def test_the_entitlements_list_filters_by_state(as_supervisor, entitlements, state, expected):
    query = {"state": state} if state else {}
    assert _entitlement_ids(as_supervisor, **query) == _of(entitlements, *expected)


def test_the_entitlements_list_is_soonest_due_first_and_flags_the_overdue(
    as_supervisor, entitlements
):
    rows = results(as_supervisor.get("/api/v1/entitlements/", {"state": "open"}))
    assert [row["due_on"] for row in rows] == [
        "2027-01-04",
        "2027-01-06",
        "2027-01-07",
        "2027-01-13",
    ]
    assert [row["overdue"] for row in rows] == [True, False, False, False]


def test_a_caseworker_sees_only_the_entitlements_of_their_cases(as_caseworker, entitlements):
    assert _entitlement_ids(as_caseworker) == _of(entitlements, "overdue", "today", "met")
    assert _entitlement_ids(as_caseworker, assigned_to="me") == _of(
        entitlements, "overdue", "today", "met"
    )


def test_assigned_to_me_narrows_a_supervisor_to_the_cases_they_work(as_supervisor, entitlements):
    assert _entitlement_ids(as_supervisor, assigned_to="me") == _of(
        entitlements, "later", "tomorrow"
    )
    assert _entitlement_ids(as_supervisor, assigned_to="me", state="due_soon") == _of(
        entitlements, "tomorrow"
    )


def test_another_charity_never_sees_the_entitlements(entitlements, other_charity):
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert _entitlement_ids(theirs) == _of(entitlements, "foreign")


@pytest.mark.parametrize("query", [{"state": "late"}, {"assigned_to": "someone"}])
def test_an_unknown_entitlement_filter_is_refused(as_caseworker, query):
    assert_refused(as_caseworker.get("/api/v1/entitlements/", query), next(iter(query)))


def test_police_may_not_list_entitlements(as_police, entitlements):
    assert as_police.get("/api/v1/entitlements/").status_code == 403


# --- hearings: refused input ------------------------------------------------------------------


def _no_hearing_saved(case) -> None:
    assert not CourtEvent.objects.filter(case=case).exists()


def test_a_hearing_is_listed_with_its_attendees(as_caseworker, caseworker, isva):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case),
        hearing_body(
            at(2027, 1, 11),
            attendees=[str(caseworker.id), str(isva.id)],
            special_measures_requested=["screens"],
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(body["attendees"]) == sorted([caseworker.username, isva.username])
    assert (body["status"], body["added_by_police"], body["date_changes"]) == ("listed", False, [])
    assert moment(body["starts_at"]) == at(2027, 1, 11)
    assert [row["id"] for row in results(as_caseworker.get(hearings_url(case)))] == [body["id"]]


def test_a_hearing_in_the_past_cannot_be_listed(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(hearings_url(case), hearing_body(at(2027, 1, 5)))
    assert_refused(response, "starts_at")
    _no_hearing_saved(case)


def test_a_past_hearing_may_be_recorded_as_completed(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 5), status="completed")
    )
    assert response.status_code == 201, response.json()


def test_special_measures_granted_but_never_requested_are_refused(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case),
        hearing_body(
            at(2027, 1, 11),
            special_measures_requested=["screens"],
            special_measures_granted=["screens", "live_link"],
        ),
    )
    assert_refused(response, "special_measures_granted")
    _no_hearing_saved(case)


def test_granting_a_measure_later_that_was_never_requested_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker)
    event = hearing(case, at(2027, 1, 11), special_measures_requested=["screens"])
    response = as_caseworker.patch(
        f"{hearings_url(case)}{event.pk}/", {"special_measures_granted": ["intermediary"]}
    )
    assert_refused(response, "special_measures_granted")
    event.refresh_from_db()
    assert (event.special_measures_granted, event.version) == ([], 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hearing_type", "tea_party"),
        ("special_measures_requested", ["cloak_of_invisibility"]),
        ("status", "postponed"),
    ],
)
def test_unknown_hearing_values_are_refused(as_caseworker, caseworker, field, value):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 11), **{field: value})
    )
    assert_refused(response, field)
    _no_hearing_saved(case)


def test_a_hearing_refuses_fields_it_does_not_take(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 11), added_by_police=True)
    )
    assert_refused(response, "added_by_police")
    _no_hearing_saved(case)


def test_a_sentencing_hearing_needs_a_verdict_or_a_trial_before_it(as_caseworker, caseworker):
    case = open_case(caseworker, stage="awaiting_trial")
    body = hearing_body(at(2027, 3, 25), hearing_type="sentencing", court=CROWN)
    assert_refused(as_caseworker.post(hearings_url(case), body), "hearing_type")
    _no_hearing_saved(case)

    # A trial after the sentencing date, or a vacated one before it, does not count.
    hearing(case, at(2027, 4, 5), hearing_type="trial", court=CROWN)
    hearing(case, at(2027, 3, 8), hearing_type="trial", court=CROWN, status="vacated")
    assert_refused(as_caseworker.post(hearings_url(case), body), "hearing_type")
    assert not CourtEvent.objects.filter(case=case, hearing_type="sentencing").exists()

    hearing(case, at(2027, 3, 9), hearing_type="trial", court=CROWN)
    assert as_caseworker.post(hearings_url(case), body).status_code == 201


def test_a_sentencing_hearing_may_follow_a_verdict(as_caseworker, caseworker):
    case = open_case(caseworker, stage="verdict")
    body = hearing_body(at(2027, 3, 25), hearing_type="sentencing", court=CROWN)
    assert as_caseworker.post(hearings_url(case), body).status_code == 201


def test_staff_of_another_charity_cannot_attend(as_caseworker, caseworker, other_charity):
    case = open_case(caseworker)
    outsider = UserFactory(organisation=other_charity)
    response = as_caseworker.post(
        hearings_url(case),
        hearing_body(at(2027, 1, 11), attendees=[str(caseworker.id), str(outsider.id)]),
    )
    assert_refused(response, "attendees")
    _no_hearing_saved(case)

    event = hearing(case, at(2027, 1, 11))
    patched = as_caseworker.patch(
        f"{hearings_url(case)}{event.pk}/", {"attendees": [str(outsider.id)]}
    )
    assert_refused(patched, "attendees")
    assert not event.attendees.exists()


def test_police_cannot_attend_for_the_charity(as_caseworker, caseworker, police_liaison):
    case = open_case(caseworker)
    response = as_caseworker.post(
        hearings_url(case), hearing_body(at(2027, 1, 11), attendees=[str(police_liaison.id)])
    )
    assert_refused(response, "attendees")
    _no_hearing_saved(case)


# --- hearings: moving the date ----------------------------------------------------------------


def test_a_new_hearing_date_keeps_the_old_one_with_the_reason(clock, caseworker):
    case = open_case(caseworker)
    event = hearing(case, at(2027, 1, 11))
    url = f"{hearings_url(case)}{event.pk}/"

    (api,) = move(clock, at(2027, 1, 7, 9), caseworker)
    first = api.patch(
        url,
        {"starts_at": at(2027, 1, 18, 14).isoformat(), "date_change_reason": "Court list moved"},
    )
    assert first.status_code == 200, first.json()
    assert moment(first.json()["starts_at"]) == at(2027, 1, 18, 14)
    assert first.json()["version"] == 2
    [change] = first.json()["date_changes"]
    assert moment(change["previous_starts_at"]) == at(2027, 1, 11)
    assert moment(change["new_starts_at"]) == at(2027, 1, 18, 14)
    assert change["reason"] == "Court list moved"
    assert change["changed_by"] == caseworker.username
    assert moment(change["changed_at"]) == at(2027, 1, 7, 9)

    # A change that leaves the date alone adds no date change.
    unchanged = api.patch(url, {"pre_trial_visit_done": True})
    assert unchanged.status_code == 200
    assert len(unchanged.json()["date_changes"]) == 1

    (api,) = move(clock, at(2027, 1, 8, 9), caseworker)
    second = api.patch(
        url, {"starts_at": at(2027, 2, 1).isoformat(), "date_change_reason": "Defence not ready"}
    )
    assert second.status_code == 200, second.json()
    history = second.json()["date_changes"]
    assert [(moment(c["previous_starts_at"]), c["reason"]) for c in history] == [
        (at(2027, 1, 18, 14), "Defence not ready"),
        (at(2027, 1, 11), "Court list moved"),
    ]
    detail = api.get(url).json()
    assert detail["date_changes"] == history


def test_moving_a_listed_hearing_into_the_past_is_refused_and_keeps_no_change(
    as_caseworker, caseworker
):
    case = open_case(caseworker)
    event = hearing(case, at(2027, 1, 11))
    response = as_caseworker.patch(
        f"{hearings_url(case)}{event.pk}/",
        {"starts_at": at(2027, 1, 4).isoformat(), "date_change_reason": "Typo"},
    )
    assert_refused(response, "starts_at")
    event.refresh_from_db()
    assert (event.starts_at, event.version) == (at(2027, 1, 11), 1)
    assert not CourtEventDateChange.objects.exists()


def test_another_charitys_staff_cannot_see_or_change_the_hearings(caseworker, other_charity):
    case = open_case(caseworker)
    event = hearing(case, at(2027, 1, 11))
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert theirs.get(hearings_url(case)).status_code == 404
    assert theirs.get(f"{hearings_url(case)}{event.pk}/").status_code == 404
    assert theirs.post(hearings_url(case), hearing_body(at(2027, 1, 12))).status_code == 404
    patched = theirs.patch(f"{hearings_url(case)}{event.pk}/", {"court": "Elsewhere"})
    assert patched.status_code == 404
    event.refresh_from_db()
    assert event.court == MAGISTRATES and CourtEvent.objects.count() == 1


def test_risk_level_outside_the_scale_is_refused(as_caseworker, caseworker):
    case = open_case(caseworker)
    response = as_caseworker.post(
        case_url(case, "support-plan/risk-assessments/"),
        {"assessed_on": "2027-01-06", "level": "extreme"},
    )
    assert_refused(response, "level")
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert not case.risk_assessments.exists()


# --- the caseload -----------------------------------------------------------------------------


@pytest.fixture
def caseload(caseworker, supervisor, other_charity):
    """The caseworker's cases on Wednesday 6 January 2027, each urgent for a different reason."""
    overdue = open_case(caseworker, pseudonym="Overdue")
    # Thu 31 Dec + 1: Mon 4 Jan. Overdue.
    decide(overdue, date(2026, 12, 31))
    hearing(overdue, at(2027, 2, 1))

    due = open_case(caseworker, offences=["theft"], pseudonym="Due")
    # Tue 5 Jan + 5: Wed 6, Thu 7, Fri 8, Mon 11, Tue 12.
    decide(due, date(2027, 1, 5))
    decide(due, date(2027, 1, 4), kind="charge", told_on=date(2027, 1, 4))

    high = open_case(caseworker, risk_level="high", pseudonym="High")

    court_soon = open_case(caseworker, pseudonym="Court soon")
    hearing(court_soon, at(2027, 1, 11))
    contact_log(
        case=court_soon,
        recorded_by=caseworker,
        occurred_at=at(2027, 1, 5, 14),
        channel="phone_call",
        direction="outbound",
        outcome="reached",
    )
    contact_log(
        case=court_soon,
        recorded_by=caseworker,
        occurred_at=at(2027, 1, 6, 9),
        channel="phone_call",
        direction="outbound",
        outcome="no_answer",
    )

    court_later = open_case(caseworker, pseudonym="Court later")
    hearing(court_later, at(2027, 1, 8), status="vacated")
    hearing(court_later, at(2027, 2, 15), hearing_type="trial", court=CROWN)

    closed = open_case(caseworker, pseudonym="Closed")
    decide(closed, date(2026, 12, 31))
    close(closed)

    unassigned = open_case(supervisor, pseudonym="Unassigned")
    foreign = open_case(UserFactory(organisation=other_charity), pseudonym="Foreign")
    return {
        "overdue": overdue,
        "due": due,
        "high": high,
        "court_soon": court_soon,
        "court_later": court_later,
        "closed": closed,
        "unassigned": unassigned,
        "foreign": foreign,
    }


def _caseload(api, **query) -> list[dict]:
    response = api.get("/api/v1/caseload/", query)
    assert response.status_code == 200, response.json()
    return response.json()


def _named(caseload, *names) -> list[str]:
    return [str(caseload[name].id) for name in names]


def test_my_caseload_is_most_urgent_first(as_caseworker, caseload):
    rows = _caseload(as_caseworker)
    assert [row["id"] for row in rows] == _named(
        caseload, "overdue", "due", "high", "court_soon", "court_later"
    )


def test_each_caseload_row_says_why_it_is_urgent(as_caseworker, caseload):
    rows = {row["pseudonym"]: row for row in _caseload(as_caseworker)}
    assert set(rows) == {"Overdue", "Due", "High", "Court soon", "Court later"}

    overdue = rows["Overdue"]
    assert overdue["reference"] == caseload["overdue"].reference
    assert overdue["next_overdue_entitlement"] == "2027-01-04"
    assert overdue["next_entitlement_due"] == "2027-01-04"
    assert moment(overdue["next_court_date"]) == at(2027, 2, 1)

    due = rows["Due"]
    assert due["next_overdue_entitlement"] is None
    assert due["next_entitlement_due"] == "2027-01-12"

    assert rows["High"]["risk_level"] == "high"
    assert rows["High"]["next_court_date"] is None

    soon = rows["Court soon"]
    assert moment(soon["next_court_date"]) == at(2027, 1, 11)
    assert moment(soon["last_successful_contact"]) == at(2027, 1, 5, 14)
    assert soon["next_entitlement_due"] is None

    # A vacated hearing is not the next court date.
    assert moment(rows["Court later"]["next_court_date"]) == at(2027, 2, 15)
    assert rows["Court later"]["last_successful_contact"] is None


def test_a_supervisor_sees_the_organisations_caseload_or_one_persons(
    as_supervisor, caseworker, caseload
):
    everyone = {row["id"] for row in _caseload(as_supervisor, scope="organisation")}
    assert everyone == set(
        _named(caseload, "overdue", "due", "high", "court_soon", "court_later", "unassigned")
    )
    theirs = _caseload(as_supervisor, assigned_to=str(caseworker.id))
    assert [row["id"] for row in theirs] == _named(
        caseload, "overdue", "due", "high", "court_soon", "court_later"
    )
    assert _caseload(as_supervisor) == []


@pytest.mark.parametrize(
    "query",
    [{"scope": "organisation"}, {"assigned_to": "00000000-0000-0000-0000-000000000001"}],
)
def test_a_caseworker_cannot_see_other_peoples_caseloads(as_caseworker, caseload, query):
    assert_refused(as_caseworker.get("/api/v1/caseload/", query), "scope")


def test_an_unknown_caseload_scope_is_refused(as_supervisor):
    assert_refused(as_supervisor.get("/api/v1/caseload/", {"scope": "everything"}), "scope")


def test_police_have_no_caseload(as_police):
    assert as_police.get("/api/v1/caseload/").status_code == 403


def _busy_case(caseworker, n: int) -> Case:
    case = open_case(caseworker, pseudonym=f"Client {n}", risk_level="medium")
    decide(case, date(2027, 1, 5))
    hearing(case, at(2027, 1, 11 + n % 10))
    contact_log(
        case=case,
        recorded_by=caseworker,
        occurred_at=at(2027, 1, 5, 12),
        channel="text_message",
        direction="inbound",
        outcome="reached",
    )
    return case


def test_the_caseload_costs_the_same_queries_for_one_case_as_for_twenty(
    caseworker, django_assert_num_queries
):
    _busy_case(caseworker, 0)
    api = client_for(caseworker)
    with CaptureQueriesContext(connection) as one:
        rows = _caseload(api)
    assert len(rows) == 1

    for n in range(1, 20):
        _busy_case(caseworker, n)
    api = client_for(caseworker)
    with django_assert_num_queries(len(one.captured_queries)):
        rows = _caseload(api)
    assert len(rows) == 20
    assert all(row["next_court_date"] and row["last_successful_contact"] for row in rows)


# --- the calendar feed ------------------------------------------------------------------------


@pytest.fixture
def calendar_cases(caseworker, isva, supervisor):
    client = client_create(
        organisation=caseworker.organisation,
        created_by=caseworker,
        pseudonym=PSEUDONYM,
        legal_name=LEGAL_NAME,
    )
    contact_method_add(
        client=client, created_by=caseworker, kind="mobile", value=PHONE, preferred=True
    )
    mine = case_create(client=client, opened_by=caseworker, offence_types=["rape"])
    hearing(mine, at(2027, 1, 11))
    hearing(mine, at(2027, 3, 8), hearing_type="trial", court=CROWN)
    hearing(mine, at(2027, 2, 1), court="Bradford Crown Court", status="vacated")
    not_mine = open_case(supervisor, assigned=[isva], pseudonym="Someone Else")
    hearing(not_mine, at(2027, 1, 12), court="Sheffield Crown Court")
    return mine, not_mine


def _feed_path(api) -> str:
    response = api.post("/api/v1/me/calendar-feed/")
    assert response.status_code == 201, response.json()
    url = response.json()["url"]
    assert url.startswith("http") and url.endswith(".ics")
    return urlparse(url).path


def test_the_calendar_feed_lists_my_hearings_by_case_reference_and_court(
    as_caseworker, anonymous, calendar_cases
):
    mine, _ = calendar_cases
    path = _feed_path(as_caseworker)
    assert path.startswith("/calendar/")
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]

    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    by_court = {str(event["LOCATION"]): event for event in events}
    assert set(by_court) == {MAGISTRATES, CROWN}
    for event in events:
        assert mine.reference in str(event["SUMMARY"])
    assert by_court[MAGISTRATES].decoded("DTSTART") == at(2027, 1, 11)
    assert by_court[CROWN].decoded("DTSTART") == at(2027, 3, 8)


def test_the_calendar_feed_never_names_the_client(as_caseworker, anonymous, calendar_cases):
    mine, not_mine = calendar_cases
    raw = anonymous.get(_feed_path(as_caseworker)).content
    unfolded = raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    for text in (raw, unfolded):
        lowered = text.decode().lower()
        for needle in (
            PSEUDONYM,
            "Marigold",
            LEGAL_NAME,
            "Vance",
            PHONE,
            PHONE_E164,
            PHONE_NATIONAL,
            str(mine.client_id),
            "Sheffield",
            "Bradford",
            not_mine.reference,
        ):
            assert needle.lower() not in lowered, f"{needle!r} is in the feed"


def test_each_person_feed_has_only_their_own_hearings(as_isva, anonymous, calendar_cases):
    _, not_mine = calendar_cases
    events = Calendar.from_ical(anonymous.get(_feed_path(as_isva)).content).walk("VEVENT")
    assert [str(event["LOCATION"]) for event in events] == ["Sheffield Crown Court"]
    assert not_mine.reference in str(events[0]["SUMMARY"])


def test_issuing_a_new_feed_kills_the_old_link(as_caseworker, anonymous, calendar_cases):
    old = _feed_path(as_caseworker)
    new = _feed_path(as_caseworker)
    assert old != new
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200


def test_revoking_the_feed_ends_the_link(as_caseworker, anonymous, calendar_cases):
    path = _feed_path(as_caseworker)
    assert anonymous.get(path).status_code == 200
    assert as_caseworker.delete("/api/v1/me/calendar-feed/").status_code == 204
    assert anonymous.get(path).status_code == 404
    assert as_caseworker.delete("/api/v1/me/calendar-feed/").status_code == 404


def test_a_made_up_feed_link_is_not_found(anonymous):
    assert anonymous.get("/calendar/not-a-real-token.ics").status_code == 404


def test_a_deactivated_persons_feed_stops(as_caseworker, caseworker, anonymous, calendar_cases):
    path = _feed_path(as_caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert anonymous.get(path).status_code == 404


def test_police_have_no_calendar_feed(as_police):
    assert as_police.post("/api/v1/me/calendar-feed/").status_code == 403


# --- what a sharing force sees ----------------------------------------------------------------


def _share(case, caseworker, force, *, identified=True) -> SharedCase:
    consent_record(
        case=case, recorded_by=caseworker, scope="store_records", granted=True, method="verbal"
    )
    consent_record(
        case=case,
        recorded_by=caseworker,
        scope="share_with_police" if identified else "share_anonymous_intelligence",
        granted=True,
        method="verbal",
        police_force=force,
    )
    return SharedCase.objects.get(case=case, police_force=force)


def _shared_hearings(share) -> str:
    return f"/api/v1/shared-cases/{share.pk}/court-events/"


@pytest.fixture
def shared(caseworker, police_force):
    case = open_case(caseworker, stage="charged")
    event = hearing(case, at(2027, 1, 11), attendees=[caseworker])
    return case, event, _share(case, caseworker, police_force)


def test_the_force_sees_the_hearings_of_an_identified_share_without_attendees(
    as_police, caseworker, shared
):
    _, event, share = shared
    response = as_police.get(_shared_hearings(share))
    [row] = results(response)
    assert row["id"] == str(event.pk)
    assert (row["hearing_type"], row["court"], row["status"]) == (
        "first_hearing",
        MAGISTRATES,
        "listed",
    )
    assert moment(row["starts_at"]) == at(2027, 1, 11)
    assert "attendees" not in row
    assert caseworker.username not in response.content.decode()

    detail = as_police.get(f"/api/v1/shared-cases/{share.pk}/")
    assert detail.status_code == 200, detail.json()
    [shown] = detail.json()["court_events"]
    assert shown["id"] == str(event.pk) and "attendees" not in shown


def test_the_force_adds_a_hearing_the_charity_then_sees(
    as_police, as_caseworker, police_liaison, shared
):
    case, _, share = shared
    response = as_police.post(
        _shared_hearings(share),
        {
            "hearing_type": "trial",
            "court": CROWN,
            "starts_at": at(2027, 3, 8).isoformat(),
            "special_measures_requested": ["screens"],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["added_by_police"] is True
    assert "attendees" not in response.json()

    added = CourtEvent.objects.get(pk=response.json()["id"])
    assert (added.case_id, added.created_by, added.added_by_police) == (
        case.pk,
        police_liaison,
        True,
    )
    rows = {row["id"]: row for row in results(as_caseworker.get(hearings_url(case)))}
    assert rows[str(added.pk)]["added_by_police"] is True
    assert rows[str(added.pk)]["court"] == CROWN
    assert len(results(as_police.get(_shared_hearings(share)))) == 2
    timeline = as_caseworker.get(case_url(case, "timeline/"), {"page_size": 100}).json()
    police_item = next(
        i for i in timeline["results"] if i["kind"] == "court_event" and i["id"] == str(added.pk)
    )
    assert police_item["data"]["added_by_police"] is True


def test_the_force_cannot_list_a_hearing_in_the_past_or_name_attendees(as_police, shared):
    case, _, share = shared
    past = as_police.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 1, 4).isoformat()},
    )
    assert_refused(past, "starts_at")
    attendees = as_police.post(
        _shared_hearings(share),
        {
            "hearing_type": "trial",
            "court": CROWN,
            "starts_at": at(2027, 3, 8).isoformat(),
            "attendees": [],
        },
    )
    assert_refused(attendees, "attendees")
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_an_anonymous_share_shows_no_hearings(as_police, caseworker, police_force):
    case = open_case(caseworker, stage="charged")
    hearing(case, at(2027, 1, 11))
    share = _share(case, caseworker, police_force, identified=False)
    assert share.level == "anonymous"
    assert as_police.get(_shared_hearings(share)).status_code == 404
    posted = as_police.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 3, 8).isoformat()},
    )
    assert posted.status_code == 404
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_after_withdrawal_the_force_sees_no_hearings(as_police, caseworker, police_force, shared):
    case, _, share = shared
    assert as_police.get(_shared_hearings(share)).status_code == 200
    consent_record(
        case=case,
        recorded_by=caseworker,
        scope="share_with_police",
        granted=False,
        method="verbal",
        police_force=police_force,
    )
    assert as_police.get(_shared_hearings(share)).status_code == 404
    posted = as_police.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 3, 8).isoformat()},
    )
    assert posted.status_code == 404
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_another_force_sees_no_hearings(shared):
    case, _, share = shared
    other = client_for(PoliceLiaisonFactory(organisation=PoliceForceFactory()))
    assert other.get(_shared_hearings(share)).status_code == 404
    posted = other.post(
        _shared_hearings(share),
        {"hearing_type": "trial", "court": CROWN, "starts_at": at(2027, 3, 8).isoformat()},
    )
    assert posted.status_code == 404
    assert CourtEvent.objects.filter(case=case).count() == 1


def test_police_cannot_use_the_charitys_hearing_routes(as_police, shared):
    case, event, _ = shared
    assert as_police.get(hearings_url(case)).status_code == 403
    assert as_police.get(f"{hearings_url(case)}{event.pk}/").status_code == 403
    assert as_police.get(decisions_url(case)).status_code == 403


def test_charity_staff_cannot_use_the_police_hearing_route(as_caseworker, shared):
    _, _, share = shared
    assert as_caseworker.get(_shared_hearings(share)).status_code == 403
