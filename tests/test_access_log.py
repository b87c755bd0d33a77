"""The access log of the API processes (gunicorn with casework.gunicorn_conf, as the demo and the
image run it) names the method, the path and the status, and nothing a caller sent beside them:
no query string, no referrer, no credential, and no calendar-feed secret."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CANARY = "Marigold-Quill-07700900461"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def access_log(tmp_path, live_server_env):
    """A gunicorn serving Casework, its access log written to a file."""
    log = tmp_path / "access.log"
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "casework.wsgi",
            "-c",
            "python:casework.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=live_server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def live_server_env(db, settings):
    database = settings.DATABASES["default"]
    user = database["USER"] or "postgres"
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casework.settings.test",
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{database['NAME']}",
    }


def test_the_access_log_keeps_no_query_string_referrer_credential_or_feed_secret(access_log):
    base, log = access_log
    headers = {
        "Referer": f"https://casework.example.org/search?q={CANARY}",
        "Authorization": f"Token {CANARY}",
        "Idempotency-Key": CANARY,
    }
    assert _get(f"{base}/healthz?client={CANARY}", headers) == 200
    assert _get(f"{base}/calendar/{CANARY}.ics", headers) == 404
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "/calendar/" not in log.read_text():
        time.sleep(0.2)
    text = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 404' in text
    assert CANARY not in text
    assert "client=" not in text


def test_a_line_break_in_a_path_cannot_forge_an_access_log_line(access_log):
    base, log = access_log
    forged = "/forged%0d%0a127.0.0.1%20%5B01/Jan/2026%5D%20%22GET%20/admin/%20HTTP/1.1%22%20200"
    assert _get(f"{base}{forged}", {}) == 404
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "/forged" not in log.read_text():
        time.sleep(0.2)
    lines = [line for line in log.read_text().splitlines() if "/healthz" not in line]
    assert len(lines) == 1, lines
    assert "\\x0d\\x0a" in lines[0]
    assert '"GET /admin/' not in lines[0]
