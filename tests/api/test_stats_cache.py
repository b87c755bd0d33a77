"""Published figures kept in the cache: a closed range is answered from it, an open one only
briefly; one organisation's (or force's) figures are never served to another; a raised
threshold takes effect at once; and with Redis unreachable the figures are computed every
time."""

import logging
import time
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from casework.accounts.services.organisations import organisation_settings_update
from casework.stats import caching
from casework.stats.periods import StatsRequest

from ..conftest import client_for
from ..factories import PoliceForceFactory, PoliceLiaisonFactory, SupervisorFactory, UserFactory
from .test_cache_unreachable import redis_down  # noqa: F401 (fixture)
from .test_stats import (
    FORCE_QUERIES,
    QUERIES,
    STATS,
    at,
    first_quarter,  # noqa: F401 (fixture)
    force_shares,  # noqa: F401 (fixture)
    lower_threshold,
    opened,
)

pytestmark = pytest.mark.django_db

# Authentication and the audit event (savepoint, tail, insert, release): no figures computed.
CACHED_QUERIES = 5
Q1 = {"period": "2025-Q1", "group_by": "month"}


def opened_count(body) -> int | None:
    return body["opened"]["total"]["count"]


@pytest.mark.usefixtures("first_quarter")
def test_a_closed_range_is_answered_from_the_cache(as_supervisor, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        first = as_supervisor.get(STATS, Q1)
    with django_assert_num_queries(CACHED_QUERIES):
        again = as_supervisor.get(STATS, Q1)
    assert again.json() == first.json()
    assert opened_count(first.json()) == 16
    # Another grouping or range is other figures, computed afresh.
    with django_assert_num_queries(QUERIES):
        as_supervisor.get(STATS, {**Q1, "group_by": "offence_type"})
    with django_assert_num_queries(QUERIES):
        as_supervisor.get(STATS, {"period": "2025-01", "group_by": "month"})


@pytest.mark.usefixtures("first_quarter")
def test_every_answer_from_the_cache_is_audited(as_supervisor):
    from casework.audit.models import AuditEvent

    as_supervisor.get(STATS, Q1)
    as_supervisor.get(STATS, Q1)
    assert AuditEvent.objects.filter(action="stats.read").count() == 2


def test_an_open_range_is_kept_only_briefly(as_supervisor, caseworker, settings):
    settings.STATS_CACHE_OPEN_SECONDS = 1
    lower_threshold(settings, 1)
    opened(caseworker, timezone.localdate())
    this_month = {"period": f"{timezone.localdate():%Y-%m}"}
    assert opened_count(as_supervisor.get(STATS, this_month).json()) == 1
    opened(caseworker, timezone.localdate())
    assert opened_count(as_supervisor.get(STATS, this_month).json()) == 1  # within the second
    time.sleep(1.2)
    assert opened_count(as_supervisor.get(STATS, this_month).json()) == 2


def test_nothing_is_kept_when_the_lifetime_is_zero(as_supervisor, caseworker, settings):
    settings.STATS_CACHE_CLOSED_SECONDS = 0
    lower_threshold(settings, 1)
    opened(caseworker, date(2025, 1, 10))
    assert opened_count(as_supervisor.get(STATS, Q1).json()) == 1
    opened(caseworker, date(2025, 1, 11))
    assert opened_count(as_supervisor.get(STATS, Q1).json()) == 2


def test_one_charitys_figures_are_never_served_to_another(
    as_supervisor, caseworker, other_charity, settings
):
    lower_threshold(settings, 1)
    for _ in range(3):
        opened(caseworker, date(2025, 2, 10))
    other = UserFactory(organisation=other_charity)
    for _ in range(7):
        opened(other, date(2025, 2, 10))
    theirs = client_for(SupervisorFactory(organisation=other_charity))
    assert opened_count(as_supervisor.get(STATS, Q1).json()) == 3
    assert opened_count(theirs.get(STATS, Q1).json()) == 7
    assert opened_count(as_supervisor.get(STATS, Q1).json()) == 3


@pytest.mark.usefixtures("force_shares")
def test_one_forces_figures_are_never_served_to_another(
    as_police, settings, django_assert_num_queries
):
    lower_threshold(settings, 1)
    year = {"period": "2025", "group_by": "share_level"}
    with django_assert_num_queries(FORCE_QUERIES):
        assert as_police.get(STATS, year).json()["shares"]["total"]["count"] == 7
    stranger = client_for(PoliceLiaisonFactory(organisation=PoliceForceFactory()))
    assert stranger.get(STATS, year).json()["shares"]["rows"] == []
    with django_assert_num_queries(CACHED_QUERIES):
        assert as_police.get(STATS, year).json()["shares"]["total"]["count"] == 7


@pytest.mark.usefixtures("force_shares")
def test_a_charity_raising_its_threshold_reaches_a_forces_cached_figures_at_once(
    as_police, settings, police_force, django_capture_on_commit_callbacks
):
    lower_threshold(settings, 1)
    year = {"period": "2025", "group_by": "share_level"}
    assert as_police.get(STATS, year).json()["shares"]["rows"][0]["count"] == 2
    sharing = police_force.shared_cases.first().case.organisation
    with django_capture_on_commit_callbacks(execute=True):
        organisation_settings_update(
            organisation=sharing, by=SupervisorFactory(organisation=sharing), stats_threshold=3
        )
    body = as_police.get(STATS, year).json()
    assert body["threshold"] == 3
    assert body["shares"]["rows"][0] == {"key": "anonymous", "count": None, "suppressed": True}


def test_the_key_names_kind_organisation_range_grouping_threshold_and_version(charity):
    request = StatsRequest(start=date(2025, 1, 1), end=date(2025, 3, 31), group_by="month")
    name = caching.key(kind="charity", organisation_id=charity.pk, request=request, threshold=5)
    assert (
        name
        == f"stats:v{caching.SCHEMA_VERSION}:charity:{charity.pk}:2025-01-01:2025-03-31:month:t5"
    )
    others = {
        caching.key(kind="force", organisation_id=charity.pk, request=request, threshold=5),
        caching.key(kind="charity", organisation_id="x", request=request, threshold=5),
        caching.key(kind="charity", organisation_id=charity.pk, request=request, threshold=6),
        caching.key(
            kind="charity",
            organisation_id=charity.pk,
            request=StatsRequest(request.start, request.end, "quarter"),
            threshold=5,
        ),
        caching.key(
            kind="charity",
            organisation_id=charity.pk,
            request=StatsRequest(request.start, date(2025, 3, 30), "month"),
            threshold=5,
        ),
    }
    assert name not in others and len(others) == 5


def test_a_range_ending_today_is_open_and_one_ending_yesterday_closed():
    with time_machine.travel(at(date(2026, 7, 15)), tick=False):
        today = timezone.localdate()
        assert not caching.is_closed(StatsRequest(date(2026, 7, 1), today, "month"))
        assert caching.is_closed(StatsRequest(date(2026, 7, 1), date(2026, 7, 14), "month"))


@pytest.mark.usefixtures("redis_down", "first_quarter")
def test_with_redis_down_the_figures_are_computed_every_time(
    as_supervisor, caplog, django_assert_num_queries
):
    caching._last_logged = 0.0
    with caplog.at_level(logging.WARNING, logger="casework.stats"):
        for _ in range(3):
            with django_assert_num_queries(QUERIES):
                response = as_supervisor.get(STATS, Q1)
            assert response.status_code == 200
            assert opened_count(response.json()) == 16
    unreachable = [r for r in caplog.records if "statistics cache unreachable" in r.getMessage()]
    assert len(unreachable) == 1
