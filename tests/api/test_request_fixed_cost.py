"""What every request pays before an endpoint does its own work, written down so that a change
in it is a decision: one query to authenticate (the token or key with the person or key's
organisation, and the person's groups), no second read of the groups, and one Redis round trip
for the throttle."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from redis.connection import AbstractConnection

from casework.accounts.tasks import purge_expired_tokens

from ..conftest import Api, client_for, client_for_key
from ..factories import CaseFactory, make_api_key

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Counts what is sent to Redis for the throttles: each send is one round trip (a script or
    a pipeline goes in one send)."""
    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        if b"throttle:" in b"".join(command if isinstance(command, list) else [command]):
            sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def test_a_person_is_authenticated_with_one_query(caseworker, django_assert_num_queries):
    api = client_for(caseworker)
    with django_assert_num_queries(1) as queries:
        response = api.get(ME)
    assert response.status_code == 200
    assert response.json()["organisation"]["id"] == str(caseworker.organisation_id)
    sql = queries.captured_queries[0]["sql"]
    for table in ("knox_authtoken", "accounts_user", "accounts_organisation", "user_groups"):
        assert table in sql, table


def test_a_superuser_without_an_organisation_is_authenticated_with_one_query(
    superuser, django_assert_num_queries
):
    api = client_for(superuser)
    with django_assert_num_queries(1):
        response = api.get(ME)
    assert response.status_code == 200
    assert response.json()["organisation"] is None


def test_an_integration_is_authenticated_with_one_query(charity, django_assert_num_queries):
    _, secret = make_api_key(charity)
    api = client_for_key(secret)
    assert api.get(ME).status_code == 200  # the first use records when the key was used
    with django_assert_num_queries(1):
        response = api.get(ME)
    assert response.status_code == 200
    assert response.json()["kind"] == "integration"


def test_a_supervisors_groups_come_with_authentication_and_are_not_read_again(
    supervisor, caseworker
):
    """A supervisor sees the organisation's cases through its group, so the list needs the
    groups; they were read with the token."""
    case = CaseFactory(opened_by=caseworker)
    api = client_for(supervisor)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/cases/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(case.id)]
    reads_of_groups = [
        q["sql"] for q in queries.captured_queries if '"accounts_user_groups"' in q["sql"]
    ]
    assert len(reads_of_groups) == 1
    assert "knox_authtoken" in reads_of_groups[0]


def test_a_change_of_groups_applies_to_the_very_next_request(supervisor, caseworker):
    CaseFactory(opened_by=caseworker)
    api = client_for(supervisor)
    assert len(api.get("/api/v1/cases/").json()["results"]) == 1
    supervisor.groups.clear()
    assert api.get("/api/v1/cases/").json()["results"] == []


def test_an_expired_token_is_refused_and_removed(caseworker):
    api = client_for(caseworker)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=caseworker).exists()


def test_a_persons_other_expired_tokens_are_left_to_the_purge(caseworker):
    """Reading every other session of the person on each request cost a query; an expired
    token is refused whenever it is used, and the periodic purge removes the rest."""
    stale = client_for(caseworker)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        fresh = client_for(caseworker)
        assert fresh.get(ME).status_code == 200
        assert AuthToken.objects.filter(user=caseworker).count() == 2
        assert purge_expired_tokens() == 1
        assert stale.get(ME).status_code == 401
        assert fresh.get(ME).status_code == 200


def test_a_malformed_token_is_refused():
    api = Api()
    api.credentials(HTTP_AUTHORIZATION="Token \xff\xfe")
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_request_is_throttled_with_one_redis_round_trip(caseworker, redis_round_trips):
    api = client_for(caseworker)
    assert api.get(ME).status_code == 200  # connections opened, the script known to Redis
    redis_round_trips.clear()
    assert api.get(ME).status_code == 200
    assert len(redis_round_trips) == 1


def test_a_refused_request_is_also_one_round_trip_and_not_counted(
    settings, caseworker, redis_round_trips
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "person": "2/minute"}
    api = client_for(caseworker)
    assert api.get(ME).status_code == 200
    assert api.get(ME).status_code == 200
    redis_round_trips.clear()
    refused = api.get(ME)
    assert refused.status_code == 429
    assert 55 <= int(refused["Retry-After"]) <= 60
    assert len(redis_round_trips) == 1
    # Refusals do not fill the window: a minute after the first two, a place is free again.
    for _ in range(3):
        assert api.get(ME).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert api.get(ME).status_code == 200
