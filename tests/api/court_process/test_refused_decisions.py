"""A justice move that is a decision needs its decision, dated no later than today and told
no earlier than made; a refused one changes nothing."""

from datetime import date

import pytest

from casework.cases.models import Case, CaseTransition
from casework.court.models import Entitlement, JusticeDecision

from .world import assert_refused, decide, decisions_url, open_case, transition

pytestmark = pytest.mark.django_db


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
