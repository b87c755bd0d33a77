"""Liveness and readiness probes, against the real services and against dead ones."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.core.heartbeats import HEARTBEAT_TASK, seen
from casework.core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_authentication(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_readyz_stays_ready_with_the_broker_and_the_cache_down(client, settings):
    """The API needs only PostgreSQL to serve: a load balancer must keep it in rotation."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_the_status_page_names_each_dependency(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    seen("worker:celery@box-1")
    seen("worker:celery@gone", at=timezone.now() - timedelta(minutes=30))
    body = client.get("/status").json()
    assert body["status"] == "degraded"
    checks = body["checks"]
    assert (checks["database"], checks["cache"], checks["broker"]) == ("ok", "ok", "failing")
    assert checks["workers"]["status"] == "ok"
    assert [w["name"] for w in checks["workers"]["seen_recently"]] == ["celery@box-1"]
    assert checks["beat"] == {"status": "failing", "last_run": None}


def test_beat_is_seen_when_it_sends_the_heartbeat_and_a_worker_when_it_runs_it(client):
    from celery.signals import before_task_publish

    before_task_publish.send(sender=HEARTBEAT_TASK, body=None, exchange="", routing_key="")
    heartbeat.apply()  # in this process, as a worker would run it
    checks = client.get("/status").json()["checks"]
    assert checks["beat"]["status"] == "ok"
    assert checks["workers"]["status"] == "ok"
    assert client.get("/status").json()["status"] == "ok"


def test_the_status_page_is_for_internal_callers_only(client):
    assert client.get("/status", REMOTE_ADDR="203.0.113.9").status_code == 404


def test_the_networks_told_the_detail_are_configurable(client, settings):
    settings.READYZ_DETAIL_NETWORKS = ["10.20.0.0/16"]
    assert client.get("/readyz", REMOTE_ADDR="10.20.3.4").json()["checks"]["database"] == "ok"
    assert client.get("/readyz").json() == {"status": "ok"}


def test_readyz_names_the_database_when_it_is_unreachable():
    """A separate process whose database URL points at a closed port: no mock involved."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casework.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/casework",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["failing"] == ["database"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/status", "/calendar/not-a-feed.ics"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "trace", "options"])
def test_the_probes_and_the_calendar_feed_take_only_get_and_head(client, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
