"""Liveness and readiness probes, against the real services and against dead ones."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_authentication(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_names_the_broker_when_it_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_readyz_names_no_part_to_a_caller_from_outside(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    outside = client.get("/readyz", REMOTE_ADDR="203.0.113.9")
    assert outside.status_code == 503
    assert outside.json() == {"status": "unavailable"}
    assert client.get("/readyz", REMOTE_ADDR="::1").json()["failing"] == ["broker"]


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


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/calendar/not-a-feed.ics"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "trace", "options"])
def test_the_probes_and_the_calendar_feed_take_only_get_and_head(client, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
