"""Cases: opening, finding, editing under If-Match, moving along the two lifecycles, and who is
assigned. Every case is visible to its assigned staff and its charity's supervisors only."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, CaseAssignment, CaseTransition

from ..conftest import client_for
from ..factories import CaseFactory, ClientFactory, IsvaFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"


def _detail(case) -> str:
    return f"{URL}{getattr(case, 'pk', case)}/"


def _set_support(case: Case, status: str) -> None:
    closed_at = timezone.now() if status == "closed" else None
    Case.objects.filter(pk=case.pk).update(support_status=status, closed_at=closed_at)


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- opening ------------------------------------------------------------------------------


def test_a_caseworker_opens_a_case_and_is_assigned_to_it(as_caseworker, caseworker, charity):
    client = ClientFactory(created_by=caseworker)
    response = as_caseworker.post(
        URL,
        {"client": str(client.id), "offence_types": ["theft", "robbery"], "risk_level": "medium"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["reference"] == f"{charity.code}-{year}-00001"
    assert re.fullmatch(rf"{charity.code}-\d{{4}}-\d{{5}}", body["reference"])
    assert body["support_status"] == "referred" and body["justice_stage"] == "none"
    assert [a["user"]["id"] for a in body["assignments"]] == [str(caseworker.id)]
    case = Case.objects.get(pk=body["id"])
    assert case.client == client and case.organisation == charity
    assert case.offence_types == ["robbery", "theft"]
    assert CaseAssignment.objects.filter(case=case, user=caseworker, role="caseworker").exists()
    assert as_caseworker.get(_detail(case)).status_code == 200


def test_a_supervisor_opening_a_case_is_not_assigned(as_supervisor, supervisor):
    client = ClientFactory(created_by=supervisor)
    response = as_supervisor.post(URL, {"client": str(client.id)})
    assert response.status_code == 201, response.json()
    assert response.json()["assignments"] == []


def test_references_count_up_per_organisation(as_supervisor, supervisor, other_charity):
    year = timezone.localdate().year
    code = supervisor.organisation.code
    references = [
        as_supervisor.post(
            URL, {"client": str(ClientFactory(created_by=supervisor, pseudonym=f"P{n}").id)}
        ).json()["reference"]
        for n in range(3)
    ]
    assert references == [f"{code}-{year}-{n:05d}" for n in (1, 2, 3)]
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    foreign_client = ClientFactory(created_by=theirs.principal)
    foreign = theirs.post(URL, {"client": str(foreign_client.id)}).json()["reference"]
    assert foreign == f"{other_charity.code}-{year}-00001"


def test_a_reference_is_unique_within_its_organisation(supervisor, other_charity):
    first, second = CaseFactory(opened_by=supervisor), CaseFactory(opened_by=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(reference=first.reference)
    # Another organisation may hold the same reference.
    theirs = CaseFactory(opened_by=SupervisorFactory(organisation=other_charity))
    Case.objects.filter(pk=theirs.pk).update(reference=first.reference)
    assert Case.objects.filter(reference=first.reference).count() == 2


def test_a_case_cannot_be_opened_for_a_client_you_cannot_see(as_supervisor, other_charity):
    foreign_client = ClientFactory(created_by=UserFactory(organisation=other_charity))
    response = as_supervisor.post(URL, {"client": str(foreign_client.id)})
    assert response.status_code == 400
    assert "client" in response.json()["fields"]
    assert not Case.objects.exists()


def test_opening_a_case_assigned_to_another_charitys_staff_is_refused(
    as_supervisor, supervisor, other_charity
):
    outsider = UserFactory(organisation=other_charity)
    response = as_supervisor.post(
        URL,
        {"client": str(ClientFactory(created_by=supervisor).id), "assigned_to": [str(outsider.id)]},
    )
    assert response.status_code == 400
    assert "assigned_to" in response.json()["fields"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["support_status", "organisation", "reference"])
def test_opening_a_case_refuses_fields_it_does_not_take(as_supervisor, supervisor, field):
    response = as_supervisor.post(
        URL, {"client": str(ClientFactory(created_by=supervisor).id), field: "x"}
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Case.objects.exists()


# --- finding ------------------------------------------------------------------------------


@pytest.fixture
def assorted(supervisor, caseworker):
    """Four cases with different facts; the caseworker works `mine` only."""
    now = timezone.now()
    mine = CaseFactory(opened_by=caseworker, offence_types=["robbery"], incident_area="Holbeck")
    triage = CaseFactory(opened_by=supervisor, offence_types=["stalking"], risk_level="high")
    active = CaseFactory(
        opened_by=supervisor, offence_types=["robbery", "rape"], risk_level="medium"
    )
    reported = CaseFactory(opened_by=supervisor, incident_area="Chapeltown")
    for case, status, days_ago in [
        (mine, "referred", 1),
        (triage, "triage", 10),
        (active, "active", 20),
        (reported, "paused", 30),
    ]:
        Case.objects.filter(pk=case.pk).update(
            support_status=status, opened_at=now - timedelta(days=days_ago)
        )
    Case.objects.filter(pk=reported.pk).update(justice_stage="reported")
    return {"mine": mine, "triage": triage, "active": active, "reported": reported}


def _named(assorted, *names) -> set[str]:
    return {str(assorted[name].id) for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"support_status": "triage"}, ("triage",)),
        ({"support_status": ["triage", "active"]}, ("triage", "active")),
        ({"justice_stage": "reported"}, ("reported",)),
        ({"justice_stage": "none"}, ("mine", "triage", "active")),
        ({"risk_level": "high"}, ("triage",)),
        ({"risk_level": "standard"}, ("mine", "reported")),
        ({"offence_type": "robbery"}, ("mine", "active")),
        ({"offence_type": "rape"}, ("active",)),
        ({"q": "holbeck"}, ("mine",)),
        ({"q": "chapel"}, ("reported",)),
    ],
)
def test_the_case_list_filters(as_supervisor, assorted, query, expected):
    assert set(_ids(as_supervisor.get(URL, query))) == _named(assorted, *expected)


def test_the_case_list_filters_by_opening_time(as_supervisor, assorted):
    now = timezone.now()
    after = as_supervisor.get(URL, {"opened_after": (now - timedelta(days=15)).isoformat()})
    assert set(_ids(after)) == _named(assorted, "mine", "triage")
    before = as_supervisor.get(URL, {"opened_before": (now - timedelta(days=15)).isoformat()})
    assert set(_ids(before)) == _named(assorted, "active", "reported")
    window = as_supervisor.get(
        URL,
        {
            "opened_after": (now - timedelta(days=25)).isoformat(),
            "opened_before": (now - timedelta(days=5)).isoformat(),
        },
    )
    assert set(_ids(window)) == _named(assorted, "triage", "active")


def test_the_case_list_filters_by_assignment(as_caseworker, as_supervisor, caseworker, assorted):
    assert _ids(as_caseworker.get(URL, {"assigned_to": "me"})) == [str(assorted["mine"].id)]
    by_id = as_supervisor.get(URL, {"assigned_to": str(caseworker.id)})
    assert _ids(by_id) == [str(assorted["mine"].id)]
    assert _ids(as_supervisor.get(URL, {"assigned_to": "me"})) == []
    assert as_supervisor.get(URL, {"assigned_to": "someone"}).status_code == 400


def test_the_case_list_filters_by_reference_prefix(as_supervisor, supervisor, other_charity):
    first, second = CaseFactory(opened_by=supervisor), CaseFactory(opened_by=supervisor)
    Case.objects.filter(pk=second.pk).update(reference="OLD-2019-00007")
    assert _ids(as_supervisor.get(URL, {"reference": first.reference[:-1]})) == [str(first.id)]
    assert _ids(as_supervisor.get(URL, {"reference": "old-2019"})) == [str(second.id)]
    assert _ids(as_supervisor.get(URL, {"reference": "00001"})) == []


def test_an_unknown_filter_value_is_refused(as_supervisor):
    response = as_supervisor.get(URL, {"support_status": "on_holiday"})
    assert response.status_code == 400
    assert "support_status" in response.json()["fields"]


def test_the_case_list_pages_with_a_cursor_without_overlap(as_supervisor, supervisor):
    made = {str(CaseFactory(opened_by=supervisor, pseudonym=f"P{n}").id) for n in range(5)}
    seen: list[str] = []
    page = as_supervisor.get(URL, {"page_size": 2}).json()
    sizes = []
    while True:
        sizes.append(len(page["results"]))
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = as_supervisor.get(page["next"]).json()
    assert sizes == [2, 2, 1]
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == made


def test_the_case_list_is_newest_first(as_supervisor, assorted):
    order = _ids(as_supervisor.get(URL))
    expected = [str(assorted[n].id) for n in ("mine", "triage", "active", "reported")]
    assert order == expected


# --- reading and editing ------------------------------------------------------------------


def test_the_case_detail_carries_its_etag(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = as_caseworker.get(_detail(case))
    assert response.status_code == 200
    assert response["ETag"] == f'"{case.id}-1"'
    assert response.json()["etag"] == response["ETag"]


def test_reading_a_case_is_audited(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    assert not AuditEvent.objects.filter(action="case.read").exists()
    as_caseworker.get(_detail(case))
    event = AuditEvent.objects.get(action="case.read")
    assert event.actor == caseworker
    assert event.case_id == case.id
    assert event.object_id == str(case.id)


def test_an_edit_with_the_current_etag_succeeds_and_bumps_the_version(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    etag = as_caseworker.get(_detail(case))["ETag"]
    response = as_caseworker.patch(_detail(case), {"risk_level": "high"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert response["ETag"] == f'"{case.id}-2"'
    case.refresh_from_db()
    assert case.risk_level == "high" and case.version == 2


def test_an_edit_with_a_stale_etag_is_refused_and_changes_nothing(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    stale = as_caseworker.get(_detail(case))["ETag"]
    first = as_caseworker.patch(_detail(case), {"risk_level": "high"}, HTTP_IF_MATCH=stale)
    assert first.status_code == 200
    response = as_caseworker.patch(
        _detail(case), {"risk_level": "medium", "incident_area": "Leeds"}, HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    case.refresh_from_db()
    assert (case.risk_level, case.incident_area, case.version) == ("high", "", 2)


def test_an_etag_of_another_case_is_stale(as_caseworker, caseworker):
    case, other = CaseFactory(opened_by=caseworker), CaseFactory(opened_by=caseworker)
    response = as_caseworker.patch(
        _detail(case), {"risk_level": "high"}, HTTP_IF_MATCH=f'"{other.id}-1"'
    )
    assert response.status_code == 412
    case.refresh_from_db()
    assert case.risk_level == "standard" and case.version == 1


def test_an_edit_without_if_match_is_accepted(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = as_caseworker.patch(_detail(case), {"incident_area": "Harehills"})
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.incident_area == "Harehills" and case.version == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("support_status", "active"), ("organisation", "x"), ("justice_stage", "reported")],
)
def test_fields_outside_the_edit_are_refused_and_nothing_changes(
    as_caseworker, caseworker, field, value
):
    case = CaseFactory(opened_by=caseworker)
    response = as_caseworker.patch(_detail(case), {field: value, "risk_level": "high"})
    assert response.status_code == 400
    assert field in response.json()["fields"]
    case.refresh_from_db()
    assert case.support_status == "referred"
    assert case.justice_stage == "none"
    assert case.risk_level == "standard" and case.version == 1


def test_an_incident_date_in_the_future_is_refused(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_caseworker.patch(_detail(case), {"incident_date": str(tomorrow)})
    assert response.status_code == 400
    assert "incident_date" in response.json()["fields"]
    case.refresh_from_db()
    assert case.incident_date is None and case.version == 1


def test_a_closed_case_cannot_be_edited(as_caseworker, caseworker):
    case = CaseFactory(opened_by=caseworker)
    _set_support(case, "closed")
    response = as_caseworker.patch(_detail(case), {"risk_level": "high"})
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"
    case.refresh_from_db()
    assert case.risk_level == "standard" and case.version == 1


# --- lifecycles ---------------------------------------------------------------------------

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


def _transition(api, case, lifecycle, to, reason="Spoke to them today.", **extra):
    body = {"lifecycle": lifecycle, "to": to, "reason": reason, **extra}
    return api.post(f"{_detail(case)}transitions/", body)


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


# --- assignment ---------------------------------------------------------------------------


def test_after_unassignment_the_caseworker_loses_the_case_at_once(
    as_supervisor, as_caseworker, caseworker
):
    case = CaseFactory(opened_by=caseworker)
    assert as_caseworker.get(_detail(case)).status_code == 200
    response = as_supervisor.post(f"{_detail(case)}unassign/", {"user": str(caseworker.id)})
    assert response.status_code == 200, response.json()
    assert response.json()["assignments"] == []
    assert as_caseworker.get(_detail(case)).status_code == 404
    assert _ids(as_caseworker.get(URL)) == []
    assert _transition(as_caseworker, case, "support", "triage").status_code == 404
    assert not CaseAssignment.objects.filter(case=case, user=caseworker).exists()


def test_after_assignment_the_colleague_sees_the_case(as_supervisor, supervisor, isva):
    case = CaseFactory(opened_by=supervisor)
    theirs = client_for(isva)
    assert theirs.get(_detail(case)).status_code == 404
    response = as_supervisor.post(f"{_detail(case)}assign/", {"user": str(isva.id)})
    assert response.status_code == 200, response.json()
    assert [(a["user"]["id"], a["role"]) for a in response.json()["assignments"]] == [
        (str(isva.id), "isva")
    ]
    assert theirs.get(_detail(case)).status_code == 200
    assert _ids(theirs.get(URL)) == [str(case.id)]


@pytest.mark.parametrize("action", ["assign", "unassign"])
def test_only_supervisors_assign_and_unassign(as_caseworker, caseworker, charity, action):
    case = CaseFactory(opened_by=caseworker)
    colleague = IsvaFactory(organisation=charity)
    target = colleague if action == "assign" else caseworker
    response = as_caseworker.post(f"{_detail(case)}{action}/", {"user": str(target.id)})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert set(case.assignments.values_list("user_id", flat=True)) == {caseworker.id}


def test_staff_of_another_charity_cannot_be_assigned(as_supervisor, supervisor, other_charity):
    case = CaseFactory(opened_by=supervisor)
    outsider = UserFactory(organisation=other_charity)
    response = as_supervisor.post(f"{_detail(case)}assign/", {"user": str(outsider.id)})
    assert response.status_code == 400
    assert "user" in response.json()["fields"]
    assert not CaseAssignment.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.version == 1


def test_assigning_someone_already_assigned_is_a_conflict(as_supervisor, caseworker):
    case = CaseFactory(opened_by=caseworker)
    response = as_supervisor.post(f"{_detail(case)}assign/", {"user": str(caseworker.id)})
    assert response.status_code == 409
    assert CaseAssignment.objects.filter(case=case).count() == 1


# --- who sees what ------------------------------------------------------------------------


def test_an_unassigned_caseworker_of_the_same_charity_cannot_see_the_case(
    as_caseworker, supervisor, charity
):
    case = CaseFactory(opened_by=supervisor)
    colleague_case = CaseFactory(opened_by=UserFactory(organisation=charity))
    response = as_caseworker.get(_detail(case))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert as_caseworker.get(_detail(colleague_case)).status_code == 404
    assert _ids(as_caseworker.get(URL)) == []
    assert as_caseworker.patch(_detail(case), {"risk_level": "high"}).status_code == 404
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert not AuditEvent.objects.filter(action="case.read").exists()


def test_a_supervisor_sees_every_case_of_their_charity(as_supervisor, caseworker, isva):
    cases = {str(CaseFactory(opened_by=caseworker).id), str(CaseFactory(opened_by=isva).id)}
    assert set(_ids(as_supervisor.get(URL))) == cases
    for case_id in cases:
        assert as_supervisor.get(_detail(case_id)).status_code == 200


def test_another_charitys_supervisor_cannot_see_the_case(caseworker, other_charity):
    case = CaseFactory(opened_by=caseworker)
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert theirs.get(_detail(case)).status_code == 404
    assert _ids(theirs.get(URL)) == []
    assert _transition(theirs, case, "support", "triage").status_code == 404
    case.refresh_from_db()
    assert case.support_status == "referred"


def test_police_may_not_use_the_cases_api(as_police, caseworker):
    case = CaseFactory(opened_by=caseworker)
    assert as_police.get(URL).status_code == 403
    assert as_police.get(_detail(case)).status_code == 403
    assert as_police.post(URL, {"client": str(case.client_id)}).status_code == 403
    assert Case.objects.count() == 1


def test_an_api_key_may_not_use_the_cases_api(as_charity_key, caseworker):
    case = CaseFactory(opened_by=caseworker)
    assert as_charity_key.get(URL).status_code == 401
    assert as_charity_key.get(_detail(case)).status_code == 401


def test_a_supervisor_of_another_charity_cannot_assign_to_the_case(
    caseworker, other_charity, charity
):
    case = CaseFactory(opened_by=caseworker)
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    colleague = UserFactory(organisation=charity)
    assert theirs.post(f"{_detail(case)}assign/", {"user": str(colleague.id)}).status_code == 404
    assert CaseAssignment.objects.filter(case=case).count() == 1
