"""Schemathesis against the live application, from the committed schema, as every kind of
caller: no server error and no response that breaks the schema.

The application runs under gunicorn on a database of its own, filled by ``seed_demo``; the
fuzzer signs in as each demo role (and as each kind of API key, and as nobody) and sends what
the schema allows and what it does not. A fixed seed keeps the run repeatable."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "docs" / "openapi" / "openapi.yaml"
PASSWORD = "fuzzing-sample-passphrase-2026"
SEED = "20261126"
EXAMPLES = "8"
PEOPLE = ["demo.caseworker", "demo.isva", "demo.supervisor", "demo.police", "demo.admin"]
# Operations that would end the fuzzer's own session or lock it out: signing out, changing the
# password, two-factor set-up, and requiring two-factor sign-in for the whole organisation.
EXCLUDE = r"/auth/(logout|password|two-factor)|/organisation-settings/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connection():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def live_app():
    db = settings.DATABASES["default"]
    name = f"casework_fuzz_{os.getpid()}"
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    user = db["USER"] or "postgres"
    host, port_number = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casework.settings.test",
        "DATABASE_URL": f"postgres://{user}@{host}:{port_number}/{name}",
        "DEMO_PASSWORD": PASSWORD,
        "THROTTLE_PERSON": "1000000/minute",
        "THROTTLE_INTEGRATION": "1000000/minute",
        "THROTTLE_LOGIN": "1000/minute",
    }
    port = _free_port()
    server = None
    try:
        _manage(env, "migrate", "--no-input", "-v0")
        _manage(env, "seed_demo")
        keys = {}
        for org, scopes in (
            ("DEMO", ["referrals:write"]),
            ("DPOL", ["shared-cases:read"]),
            ("DEMO", ["alerts:read", "checker:query"]),  # a members' app: the feed and checker
        ):
            flags = [arg for scope in scopes for arg in ("--scope", scope)]
            out = _manage(env, "create_api_key", "--organisation", org, "--name", "fuzz", *flags)
            keys[f"key:{'+'.join(scopes)}"] = re.search(r"Key \(shown once\): (\S+)", out).group(1)
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "casework.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        yield base, keys
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _token(base: str, username: str) -> str:
    import json

    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/auth/login/",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)["token"]


def _fuzz(base: str, header: str | None) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(SCHEMA),
        "--url",
        base,
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance,"
        "content_type_conformance",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--phases",
        "examples,fuzzing",
        "--exclude-path-regex",
        EXCLUDE,
        "--no-color",
    ]
    if header:
        command += ["--header", f"Authorization: {header}"]
    return subprocess.run(  # noqa: S603
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, env={**os.environ}
    )


def test_no_caller_finds_a_server_error_or_a_response_outside_the_schema(live_app):
    base, keys = live_app
    callers = {name: f"Token {_token(base, name)}" for name in PEOPLE}
    callers.update({name: f"Api-Key {secret}" for name, secret in keys.items()})
    callers["anonymous"] = None
    failures = {}
    for name, header in callers.items():
        result = _fuzz(base, header)
        summary = [line for line in result.stdout.splitlines() if "generated" in line]
        print(f"schemathesis as {name}: {summary[-1].strip() if summary else '?'}")
        report = ROOT / "var" / "fuzz" / f"{name.replace(':', '-')}.txt"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            failures[name] = f"see {report.relative_to(ROOT)}\n" + result.stdout[-3000:]
    assert not failures, "\n\n".join(f"== {name}\n{out}" for name, out in failures.items())
