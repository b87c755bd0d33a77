"""The caseload: a person's cases, most urgent first and saying why, at the same cost in
queries for one case as for twenty."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.court.models import Entitlement

from ...conftest import client_for
from ...factories import ContactLogEntryFactory, CourtEventFactory, UserFactory
from .world import CROWN, assert_refused, at, close, decide, moment, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(caseworker, supervisor, other_charity):
    """The caseworker's cases on Wednesday 6 January 2027, each urgent for a different reason."""
    overdue = open_case(caseworker, pseudonym="Overdue")
    # Thu 31 Dec + 1: Mon 4 Jan. Overdue.
    decide(overdue, date(2026, 12, 31))
    CourtEventFactory(case=overdue, starts_at=at(2027, 2, 1))

    due = open_case(caseworker, offences=["theft"], pseudonym="Due")
    # Tue 5 Jan + 5: Wed 6, Thu 7, Fri 8, Mon 11, Tue 12.
    decide(due, date(2027, 1, 5))
    decide(due, date(2027, 1, 4), kind="charge", told_on=date(2027, 1, 4))

    high = open_case(caseworker, risk_level="high", pseudonym="High")

    court_soon = open_case(caseworker, pseudonym="Court soon")
    CourtEventFactory(case=court_soon, starts_at=at(2027, 1, 11))
    ContactLogEntryFactory(
        case=court_soon,
        occurred_at=at(2027, 1, 5, 14),
        outcome="reached",
    )
    ContactLogEntryFactory(
        case=court_soon,
        occurred_at=at(2027, 1, 6, 9),
        outcome="no_answer",
    )

    court_later = open_case(caseworker, pseudonym="Court later")
    CourtEventFactory(case=court_later, starts_at=at(2027, 1, 8), status="vacated")
    CourtEventFactory(
        case=court_later, starts_at=at(2027, 2, 15), hearing_type="trial", court=CROWN
    )
    # The Witness Care Unit told the client of the trial on the day (Right 8 met), so nothing
    # on this case is due but the hearings.
    Entitlement.objects.filter(case=court_later).update(status="met", met_on=date(2027, 1, 6))

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
    return response.json()["results"]


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
    CourtEventFactory(case=case, starts_at=at(2027, 1, 11 + n % 10))
    ContactLogEntryFactory(
        case=case,
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


def test_the_caseload_comes_a_page_at_a_time_in_the_same_order(as_caseworker, caseload):
    whole = [row["id"] for row in _caseload(as_caseworker)]
    assert len(whole) == 5
    seen, url, pages = [], "/api/v1/caseload/?page_size=2", 0
    while url:
        response = as_caseworker.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["previous"] is None) is (pages == 0)
        seen += [row["id"] for row in body["results"]]
        # Each page's read is audited with the cases it gave, and only those.
        event = AuditEvent.objects.filter(action="caseload.read").latest("id")
        assert sorted(event.detail["ids"]) == sorted(row["id"] for row in body["results"])
        url, pages = body["next"], pages + 1
    assert seen == whole and pages == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "100001"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
        # A digit int() refuses: a 400, not a 500.
        ({"page": "\u00b2"}, "page"),
        ({"page_size": "\u00b2"}, "page_size"),
    ],
)
def test_a_page_out_of_bounds_is_refused_naming_the_parameter(as_caseworker, query, field):
    assert_refused(as_caseworker.get("/api/v1/caseload/", query), field)


def test_a_page_past_the_end_is_empty(as_caseworker, caseload):
    body = as_caseworker.get("/api/v1/caseload/", {"page": "9"}).json()
    assert body["results"] == [] and body["next"] is None
    assert "page=8" in body["previous"]
