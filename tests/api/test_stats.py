"""Published statistics through the API: a small world whose every figure was counted by hand.

A charity's supervisor counts the cases whose client lets it keep records, opened in the range;
small numbers are withheld, with whatever would give them back. A force counts only the shares
it holds or held. Caseworkers, ISVAs and API keys get nothing."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from api.stats.views import csv_cell
from casework.accounts.models import Organisation
from casework.audit.models import AuditEvent
from casework.cases.services.cases import case_transition
from casework.sharing.choices import ConsentScope

from ..conftest import client_for, client_for_key
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    UserFactory,
    make_api_key,
)

pytestmark = pytest.mark.django_db

STATS = "/api/v1/stats/"
LONDON = ZoneInfo("Europe/London")
# Authentication, one aggregate pass (the opened table, funnel, exits, medians), the audit event
# (savepoint, tail, insert, release).
QUERIES = 6
FORCE_QUERIES = 7  # authentication, the total, the grouping, the audit event


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def opened(caseworker, day: date, *, keep_records=True, offences=("robbery",)):
    with time_machine.travel(at(day), tick=False):
        case = CaseFactory(opened_by=caseworker, offence_types=list(offences))
        if keep_records:
            ConsentDecisionFactory(case=case, scope=ConsentScope.STORE_RECORDS, granted=True)
    return case


def move(case, day: date, *stages: str, decided: date | None = None):
    with time_machine.travel(at(day), tick=False):
        for stage in stages:
            decision = {"decided_on": decided or day, "client_told_on": day}
            needs = stage in ("charged", "no_further_action", "verdict", "sentenced")
            case = case_transition(
                case=case,
                actor=case.created_by,
                lifecycle="justice",
                to=stage,
                reason="Recorded for the return.",
                decision=decision if needs else None,
            )
    return case


def lower_threshold(settings, value: int) -> None:
    """The deployment's floor, and every organisation's own threshold, at ``value``."""
    settings.STATS_SUPPRESSION_THRESHOLD = value
    Organisation.objects.update(stats_threshold=value)


def rows(table) -> dict[str, int | None]:
    return {row["key"]: row["count"] for row in table}


@pytest.fixture
def first_quarter(caseworker, other_charity):
    """Charity A in the first quarter of 2025: six cases opened in January, three in February,
    seven in March, all kept on record. Not counted: a January case whose client never agreed
    to records being kept, one whose client withdrew that agreement, one opened in April, and
    charity B's cases."""
    for day, count in ((date(2025, 1, 10), 6), (date(2025, 2, 10), 3), (date(2025, 3, 10), 7)):
        for _ in range(count):
            opened(caseworker, day)
    opened(caseworker, date(2025, 1, 11), keep_records=False)
    withdrawn = opened(caseworker, date(2025, 1, 12))
    ConsentDecisionFactory(case=withdrawn, scope=ConsentScope.STORE_RECORDS, granted=False)
    opened(caseworker, date(2025, 4, 2))
    other = UserFactory(organisation=other_charity)
    for _ in range(5):
        opened(other, date(2025, 2, 10))


def test_a_cell_of_three_is_withheld_and_the_next_smallest_with_it(as_supervisor, first_quarter):
    response = as_supervisor.get(STATS, {"period": "2025-Q1", "group_by": "month"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["from"], body["to"], body["threshold"]) == ("2025-01-01", "2025-03-31", 5)
    # January 6, February 3, March 7: the 3 is withheld; with the total (16) and March shown,
    # January would give the 3 back, so January is withheld too.
    assert body["opened"]["rows"] == [
        {"key": "2025-01", "count": None, "suppressed": True},
        {"key": "2025-02", "count": None, "suppressed": True},
        {"key": "2025-03", "count": 7, "suppressed": False},
    ]
    assert body["opened"]["total"] == {"count": 16, "suppressed": False}
    event = AuditEvent.objects.get(action="stats.read")
    assert event.detail == {
        "from": "2025-01-01",
        "to": "2025-03-31",
        "group_by": "month",
        "format": "json",
    }


def test_other_groupings_and_ranges_are_suppressed_alike(as_supervisor, first_quarter):
    # March 7, April 1: the 1 is withheld, and March, the only other cell, with it.
    body = as_supervisor.get(STATS, {"from": "2025-03-01", "to": "2025-04-30"}).json()
    assert body["opened"]["rows"] == [
        {"key": "2025-03", "count": None, "suppressed": True},
        {"key": "2025-04", "count": None, "suppressed": True},
    ]
    assert body["opened"]["total"] == {"count": 8, "suppressed": False}
    by_quarter = as_supervisor.get(STATS, {"period": "2025", "group_by": "quarter"}).json()
    # Q1 16, Q2 1: the 1 is withheld and Q1 is the only other cell.
    assert by_quarter["opened"]["rows"] == [
        {"key": "2025-Q1", "count": None, "suppressed": True},
        {"key": "2025-Q2", "count": None, "suppressed": True},
    ]
    assert by_quarter["opened"]["total"] == {"count": 17, "suppressed": False}
    by_offence = as_supervisor.get(STATS, {"period": "2025-Q1", "group_by": "offence_type"}).json()
    assert by_offence["opened"]["rows"] == [{"key": "robbery", "count": 16, "suppressed": False}]


def test_the_funnel_of_a_known_set_of_cases(as_supervisor, caseworker, settings):
    lower_threshold(settings, 1)
    day = date(2025, 5, 1)
    convicted = opened(caseworker, day)
    move(convicted, day, "reported", "under_investigation")
    move(convicted, day + timedelta(days=10), "charged", "awaiting_trial", "at_trial")
    move(convicted, day + timedelta(days=40), "verdict", "sentenced")
    pleaded = opened(caseworker, day)
    move(pleaded, day, "reported")
    move(pleaded, day + timedelta(days=20), "charged")
    move(pleaded, day + timedelta(days=30), "verdict")
    no_further_action = opened(caseworker, day)
    move(no_further_action, day, "reported", "under_investigation", "no_further_action")
    withdrew = opened(caseworker, day)
    move(withdrew, day, "reported", "prosecution_support_withdrawn")
    intelligence = opened(caseworker, day)
    move(intelligence, day, "anonymous_intelligence")
    opened(caseworker, day)  # never went to the police

    body = as_supervisor.get(STATS, {"period": "2025-05", "group_by": "justice_stage"}).json()
    assert rows(body["funnel"]) == {
        "reported": 4,
        "under_investigation": 3,  # charged straight from a report still counts as investigated
        "charged": 2,
        "trial": 1,
        "verdict": 2,  # a guilty plea reaches a verdict without a trial
        "conviction": 1,
    }
    assert rows(body["exits"]) == {
        "no_further_action": 1,
        "prosecution_support_withdrawn": 1,
        "anonymous_intelligence_only": 1,
    }
    assert rows(body["opened"]["rows"]) == {
        "none": 1,
        "anonymous_intelligence": 1,
        "no_further_action": 1,
        "verdict": 1,
        "sentenced": 1,
        "prosecution_support_withdrawn": 1,
    }
    assert body["opened"]["total"]["count"] == 6
    # Report to charge: 10 and 20 days; report to verdict: 40 and 30.
    assert body["median_days"] == {
        "report_to_charge": {"days": 15.0, "suppressed": False},
        "report_to_verdict": {"days": 35.0, "suppressed": False},
    }

    settings.STATS_SUPPRESSION_THRESHOLD = 5
    withheld = as_supervisor.get(STATS, {"period": "2025-05"}).json()
    assert all(row["count"] is None and row["suppressed"] for row in withheld["funnel"])
    assert withheld["median_days"]["report_to_charge"] == {"days": None, "suppressed": True}
    assert withheld["opened"]["total"] == {"count": 6, "suppressed": False}


@pytest.fixture
def force_shares(police_force):
    """Force F holds five identified shares and two anonymous ones started in May 2025, one of
    the identified since ended by the client; force G holds three that F never had."""
    force_g = PoliceForceFactory()
    with time_machine.travel(at(date(2025, 5, 6)), tick=False):
        identified = [
            SharedCaseFactory(
                police_force=police_force, level="identified", case__offence_types=["robbery"]
            )
            for _ in range(5)
        ]
        for _ in range(2):
            SharedCaseFactory(
                police_force=police_force, level="anonymous", case__offence_types=["robbery"]
            )
        for _ in range(3):
            SharedCaseFactory(
                police_force=force_g, level="identified", case__offence_types=["rape"]
            )
    ended = identified[0]
    ConsentDecisionFactory(
        case=ended.case,
        scope=ConsentScope.SHARE_WITH_POLICE,
        granted=False,
        police_force=police_force,
    )
    return force_g


def test_a_force_counts_the_shares_it_holds_or_held_and_nothing_else(
    as_police, force_shares, settings
):
    lower_threshold(settings, 1)
    body = as_police.get(STATS, {"period": "2025", "group_by": "share_level"}).json()
    assert body["shares"]["rows"] == [
        {"key": "anonymous", "count": 2, "suppressed": False},
        {"key": "identified", "count": 5, "suppressed": False},
    ]
    assert body["shares"]["total"] == {"count": 7, "suppressed": False}
    assert "funnel" not in body and "opened" not in body
    by_offence = as_police.get(STATS, {"period": "2025", "group_by": "offence_type"}).json()
    assert rows(by_offence["shares"]["rows"]) == {"robbery": 7}
    by_month = as_police.get(STATS, {"period": "2025", "group_by": "month"}).json()
    assert by_month["shares"]["rows"] == [{"key": "2025-05", "count": 7, "suppressed": False}]

    settings.STATS_SUPPRESSION_THRESHOLD = 5
    withheld = as_police.get(STATS, {"period": "2025", "group_by": "share_level"}).json()
    assert withheld["shares"]["rows"] == [
        {"key": "anonymous", "count": None, "suppressed": True},
        {"key": "identified", "count": None, "suppressed": True},
    ]
    assert withheld["shares"]["total"] == {"count": 7, "suppressed": False}


def test_a_force_that_never_held_a_share_counts_nothing(force_shares):
    stranger = client_for(PoliceLiaisonFactory(organisation=PoliceForceFactory()))
    body = stranger.get(STATS, {"period": "2025"}).json()
    assert body["shares"] == {"rows": [], "total": {"count": None, "suppressed": True}}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "2025-05-06", "to": "2025-05-31"}, {"from"}),
        ({"from": "2025-05-01", "to": "2025-05-06"}, {"to"}),
        ({"from": "2025-05-02", "to": "2025-05-30"}, {"from", "to"}),
    ],
)
def test_a_force_asks_for_whole_months_so_no_day_of_a_start_can_be_worked_out(
    as_police, force_shares, params, fields
):
    response = as_police.get(STATS, params)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == fields
    assert as_police.get(STATS, {"from": "2025-05-01", "to": "2025-06-30"}).status_code == 200


def test_police_may_not_group_by_what_only_the_charity_holds(as_police):
    response = as_police.get(STATS, {"group_by": "justice_stage"})
    assert response.status_code == 400
    assert "group_by" in response.json()["fields"]


@pytest.mark.parametrize("caller", ["as_caseworker", "as_isva"])
def test_caseworkers_and_isvas_are_refused(request, caller, first_quarter):
    response = request.getfixturevalue(caller).get(STATS, {"period": "2025-Q1"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="stats.read").exists()


def test_an_api_key_is_not_looked_at(charity):
    _key, secret = make_api_key(charity)
    assert client_for_key(secret).get(STATS).status_code == 401


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"period": "2026-Q5"}, {"period"}),
        ({"period": "summer"}, {"period"}),
        ({"period": "2026", "from": "2026-01-01"}, {"period"}),
        ({"from": "2026-02-30"}, {"from"}),
        ({"from": "2026-03-01", "to": "2026-02-01"}, {"to"}),
        ({"from": "2010-01-01", "to": "2026-01-01"}, {"to"}),
        ({"group_by": "client"}, {"group_by"}),
        ({"group_by": "client", "period": "nope"}, {"group_by", "period"}),
        ({"format": "xml"}, {"format"}),
    ],
)
def test_bad_input_is_refused_field_by_field(as_supervisor, params, fields):
    response = as_supervisor.get(STATS, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) == fields
    assert all(body["fields"][field] for field in fields)


def test_csv_is_the_same_suppressed_figures_and_formula_safe(as_supervisor, first_quarter):
    response = as_supervisor.get(STATS, {"period": "2025-Q1", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["from", "2025-01-01", "to", "2025-03-31"]
    assert table[1] == ["table", "key", "value", "suppressed"]
    assert ["opened", "2025-02", "", "true"] in table
    assert ["opened", "2025-01", "", "true"] in table
    assert ["opened", "2025-03", "7", "false"] in table
    assert ["opened", "total", "16", "false"] in table
    assert ["median_days", "report_to_charge", "", "true"] in table
    by_accept = as_supervisor.get(STATS, {"period": "2025-Q1"}, HTTP_ACCEPT="text/csv")
    assert by_accept.content == response.content


def test_a_csv_request_that_is_refused_is_answered_in_json(as_supervisor, as_caseworker):
    bad = as_supervisor.get(STATS, {"period": "never", "format": "csv"})
    assert bad.status_code == 400
    assert bad.json()["fields"]["period"]
    refused = as_caseworker.get(STATS, HTTP_ACCEPT="text/csv")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")


def test_a_csv_cell_that_looks_like_a_formula_is_defused():
    assert csv_cell("=SUM(A1)") == "'=SUM(A1)"
    assert csv_cell("+1") == "'+1"
    assert csv_cell("-1") == "'-1"
    assert csv_cell("@cmd") == "'@cmd"
    assert csv_cell("robbery") == "robbery"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"


def test_the_default_range_is_this_year_so_far(as_supervisor):
    body = as_supervisor.get(STATS).json()
    today = timezone.localdate()
    assert (body["from"], body["to"]) == (f"{today.year}-01-01", today.isoformat())


@pytest.mark.parametrize("cases", [1, 12])
@pytest.mark.parametrize("group_by", ["month", "offence_type", "share_level"])
def test_the_figures_cost_a_fixed_number_of_queries(
    as_supervisor, caseworker, django_assert_num_queries, cases, group_by
):
    """Authentication, one pass for the opened table, the funnel with its exits and the
    medians, and the audit event (its chain's tail, then the event), however many cases there
    are."""
    for i in range(cases):
        case = opened(caseworker, date(2025, 1 + i % 12, 3), offences=("robbery", "theft"))
        move(case, date(2025, 1 + i % 12, 4), "reported", "under_investigation")
    with django_assert_num_queries(QUERIES):
        response = as_supervisor.get(STATS, {"period": "2025", "group_by": group_by})
    assert response.status_code == 200


def test_a_forces_figures_cost_a_fixed_number_of_queries(
    as_police, force_shares, django_assert_num_queries
):
    with django_assert_num_queries(FORCE_QUERIES):
        response = as_police.get(STATS, {"period": "2025", "group_by": "offence_type"})
    assert response.status_code == 200


def test_cases_by_share_level_and_referral_source(
    as_supervisor, caseworker, police_force, settings
):
    lower_threshold(settings, 1)
    with time_machine.travel(at(date(2025, 6, 2)), tick=False):
        for level in ("identified", "identified", "anonymous"):
            case = CaseFactory(opened_by=caseworker)
            SharedCaseFactory(case=case, police_force=police_force, level=level)
    opened(caseworker, date(2025, 6, 3))
    body = as_supervisor.get(STATS, {"period": "2025-06", "group_by": "share_level"}).json()
    assert rows(body["opened"]["rows"]) == {"identified": 2, "anonymous": 1, "not_shared": 1}
    assert body["opened"]["total"]["count"] == 4
    body = as_supervisor.get(STATS, {"period": "2025-06", "group_by": "referral_source"}).json()
    assert rows(body["opened"]["rows"]) == {"not_given": 4}
