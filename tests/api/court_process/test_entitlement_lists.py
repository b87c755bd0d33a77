"""The entitlements list: due dates, states and order as worked out by hand, narrowed to the
cases a person works and never another charity's."""

from datetime import date

import pytest

from ...conftest import client_for
from ...factories import SupervisorFactory, UserFactory
from .world import assert_refused, decide, open_case, results

pytestmark = pytest.mark.django_db


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
