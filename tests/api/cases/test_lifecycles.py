"""The support and justice lifecycles: exactly the designed moves, each recorded with who, when
and why."""

from datetime import datetime

import pytest
from django.utils import timezone

from casework.cases.models import CaseTransition

from ...factories import CaseFactory
from .world import _detail, _set_support, _transition

pytestmark = pytest.mark.django_db


SUPPORT_STATES = ["referred", "triage", "active", "paused", "unable_to_contact", "closed"]

# The design's support lifecycle, written out by hand (not read from the code under test).
LEGAL_SUPPORT_MOVES = {
    ("referred", "triage"),
    ("referred", "active"),
    ("referred", "closed"),
    ("triage", "active"),
    ("triage", "unable_to_contact"),
    ("triage", "closed"),
    ("active", "paused"),
    ("active", "unable_to_contact"),
    ("active", "closed"),
    ("paused", "active"),
    ("paused", "unable_to_contact"),
    ("paused", "closed"),
    ("unable_to_contact", "active"),
    ("unable_to_contact", "closed"),
    ("closed", "active"),
}

ALL_SUPPORT_PAIRS = [(a, b) for a in SUPPORT_STATES for b in SUPPORT_STATES]


@pytest.mark.parametrize(
    ("start", "target"), ALL_SUPPORT_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_SUPPORT_PAIRS]
)
def test_support_lifecycle_allows_exactly_the_designed_moves(
    as_caseworker, caseworker, start, target
):
    case = CaseFactory(opened_by=caseworker)
    _set_support(case, start)
    extra = {"closure_reason": "support_completed"} if target == "closed" else {}
    response = _transition(as_caseworker, case, "support", target, **extra)
    case.refresh_from_db()
    if (start, target) in LEGAL_SUPPORT_MOVES:
        assert response.status_code == 200, response.json()
        assert response.json()["support_status"] == target
        assert case.support_status == target
        assert case.version == 2
        assert (case.closed_at is not None) == (target == "closed")
        move = CaseTransition.objects.get(case=case)
        assert (move.lifecycle, move.from_state, move.to_state) == ("support", start, target)
        assert move.actor == caseworker
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "illegal_transition"
        assert case.support_status == start
        assert case.version == 1
        assert (case.closed_at is not None) == (start == "closed")
        assert not CaseTransition.objects.filter(case=case).exists()


def test_transitions_are_recorded_with_who_when_and_why(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    before = timezone.now()
    assert _transition(as_caseworker, case, "support", "triage", "Called back").status_code == 200
    assert _transition(as_caseworker, case, "justice", "reported", "Made a report").status_code == (
        200
    )
    response = as_caseworker.get(f"{_detail(case)}transitions/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {k for k in rows[0]} >= {"lifecycle", "from", "to", "reason", "actor", "occurred_at"}
    simplified = [(r["lifecycle"], r["from"], r["to"], r["reason"], r["actor"]) for r in rows]
    assert simplified == [
        ("justice", "none", "reported", "Made a report", caseworker.username),
        ("support", "referred", "triage", "Called back", caseworker.username),
    ]
    for row in rows:
        assert before <= datetime.fromisoformat(row["occurred_at"]) <= timezone.now()


def test_closing_needs_a_closure_reason(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    _set_support(case, "active")
    response = _transition(as_caseworker, case, "support", "closed")
    assert response.status_code == 400
    assert "closure_reason" in response.json()["fields"]
    case.refresh_from_db()
    assert case.support_status == "active" and case.closed_at is None and case.version == 1
    assert not CaseTransition.objects.exists()


def test_closing_records_the_reason_and_reopening_clears_it(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    _set_support(case, "active")
    closed = _transition(as_caseworker, case, "support", "closed", closure_reason="client_withdrew")
    assert closed.status_code == 200
    assert closed.json()["closure_reason"] == "client_withdrew"
    assert closed.json()["closed_at"] is not None
    reopened = _transition(as_caseworker, case, "support", "active", "Came back to us")
    assert reopened.status_code == 200
    assert reopened.json()["closed_at"] is None and reopened.json()["closure_reason"] == ""


@pytest.mark.parametrize(
    ("lifecycle", "to"), [("support", "on_holiday"), ("justice", "closed"), ("martian", "active")]
)
def test_an_unknown_state_or_lifecycle_is_refused(as_caseworker, caseworker, lifecycle, to):
    case = CaseFactory(opened_by=caseworker)
    response = _transition(as_caseworker, case, lifecycle, to)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    case.refresh_from_db()
    assert (case.support_status, case.justice_stage, case.version) == ("referred", "none", 1)
    assert not CaseTransition.objects.exists()


def test_a_transition_needs_a_reason(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = as_caseworker.post(
        f"{_detail(case)}transitions/", {"lifecycle": "support", "to": "triage"}
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert not CaseTransition.objects.exists()


def test_justice_cannot_jump_from_none_to_sentenced(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = _transition(as_caseworker, case, "justice", "sentenced")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    case.refresh_from_db()
    assert case.justice_stage == "none" and case.version == 1
    assert not CaseTransition.objects.exists()


def test_justice_moves_from_none_to_reported_then_support_withdrawn(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    reported = _transition(as_caseworker, case, "justice", "reported")
    assert reported.status_code == 200, reported.json()
    assert reported.json()["justice_stage"] == "reported"
    withdrawn = _transition(
        as_caseworker, case, "justice", "prosecution_support_withdrawn", "Does not want court"
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    case.refresh_from_db()
    assert case.justice_stage == "prosecution_support_withdrawn"
    assert case.support_status == "referred"
    assert case.version == 3
    assert list(
        CaseTransition.objects.filter(case=case)
        .order_by("occurred_at")
        .values_list("from_state", "to_state")
    ) == [("none", "reported"), ("reported", "prosecution_support_withdrawn")]


def test_a_transition_with_a_stale_etag_is_refused(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    stale = as_caseworker.get(_detail(case))["ETag"]
    assert _transition(as_caseworker, case, "support", "triage").status_code == 200
    response = as_caseworker.post(
        f"{_detail(case)}transitions/",
        {"lifecycle": "support", "to": "active", "reason": "x"},
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412
    case.refresh_from_db()
    assert case.support_status == "triage"
    assert CaseTransition.objects.count() == 1
