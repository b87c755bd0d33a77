"""With Redis unreachable (the cache that holds the throttle's windows) the API stays up: sign-in,
``me/`` and the case list answer, request limits are kept by each process on its own, the
fallback is logged once rather than on every request, and the sign-in lockout (in PostgreSQL)
still locks."""

import logging
import socket

import pytest
from rest_framework.test import APIClient

from permissions.throttling import LOCAL_WINDOWS

from ..factories import CaseFactory
from .sign_in.world import assert_locked_out, fail, sign_in

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A local port nothing listens on: connections to it are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    LOCAL_WINDOWS._windows.clear()
    LOCAL_WINDOWS._last_logged = 0.0
    yield
    LOCAL_WINDOWS._windows.clear()
    LOCAL_WINDOWS._last_logged = 0.0


def test_sign_in_me_and_the_case_list_answer_with_the_cache_down(redis_down, caseworker):
    signed_in = sign_in(caseworker.username)
    assert signed_in.status_code == 200, signed_in.content
    case = CaseFactory(opened_by=caseworker)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200, me.content
    assert me.json()["username"] == caseworker.username
    cases = api.get("/api/v1/cases/")
    assert cases.status_code == 200, cases.content
    assert [c["id"] for c in cases.json()["results"]] == [str(case.pk)]


def test_limits_are_kept_per_process_while_the_cache_is_down(redis_down, settings, as_caseworker):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "person": "3/minute"}
    answers = [as_caseworker.get("/api/v1/me/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = as_caseworker.get("/api/v1/me/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


def test_the_fallback_is_logged_once_not_on_every_request(redis_down, as_caseworker, caplog):
    with caplog.at_level(logging.WARNING, logger="casework.throttling"):
        for _ in range(5):
            assert as_caseworker.get("/api/v1/me/").status_code == 200
    fallbacks = [r for r in caplog.records if "throttle cache unreachable" in r.getMessage()]
    assert len(fallbacks) == 1


def test_the_sign_in_lockout_still_locks_with_the_cache_down(redis_down, caseworker):
    fail(caseworker.username, 5)
    assert_locked_out(sign_in(caseworker.username))
