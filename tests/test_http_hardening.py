"""HTTP hardening on every response: nothing cached, a strict content security policy (the
interactive docs included, their start-up script served as a file), no cross-origin reads, no
content sniffing; and production's transport settings (HSTS, secure __Host- cookies)."""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import Api, client_for
from .factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
MISSING_ID = "00000000-0000-4000-8000-000000000000"
ORIGIN = "https://evil.example"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def caseworker_api(db):
    return client_for(UserFactory())


def _responses(caseworker_api) -> dict[str, tuple[int, object]]:
    """One response of each status the API gives, with the status it must have."""
    anonymous = Api()
    return {
        "200 read": (200, caseworker_api.get("/api/v1/me/")),
        "201 create": (201, caseworker_api.post("/api/v1/clients/", {"pseudonym": "Wren"})),
        "400 invalid": (400, anonymous.post("/api/v1/auth/login/", {})),
        "401 anonymous": (401, anonymous.get("/api/v1/me/")),
        "401 bad token": (
            401,
            anonymous.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token " + "f" * 64),
        ),
        "403 role": (403, caseworker_api.get("/api/v1/staff/")),
        "404 object": (404, caseworker_api.get(f"/api/v1/cases/{MISSING_ID}/")),
        "404 route": (404, caseworker_api.get("/api/v1/no-such-resource/")),
        "405 method": (405, caseworker_api.delete("/api/v1/me/")),
        "415 media type": (
            415,
            caseworker_api.post("/api/v1/clients/", "<a/>", content_type="application/xml"),
        ),
        "204 logout": (204, caseworker_api.post("/api/v1/auth/logout/")),
    }


@pytest.fixture
def responses(caseworker_api):
    answers = _responses(caseworker_api)
    for name, (status, response) in answers.items():
        assert response.status_code == status, (name, response.status_code, response.content)
    return answers


# --- caching ------------------------------------------------------------------------------------


def test_every_api_response_forbids_storing_it(responses):
    for name, (_, response) in responses.items():
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert "no-store" in directives, (name, response.get("Cache-Control"))
        assert "public" not in directives and "max-age" not in response["Cache-Control"], name


def test_a_throttled_response_forbids_storing_it_too(caseworker_api, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "person": "1/minute"}
    caseworker_api.get("/api/v1/me/")
    response = caseworker_api.get("/api/v1/me/")
    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]


def test_the_schema_and_docs_are_not_stored_either(db):
    for url in ("/api/schema/", "/api/docs/", "/api/docs/?script"):
        response = Api().get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


# --- content security policy --------------------------------------------------------------------


def assert_strict_policy(response, name: str) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in response, name
    policy = _policy(response)
    assert policy.get("default-src") == ["'none'"], (name, policy)
    assert policy.get("frame-ancestors") == ["'none'"], (name, policy)
    assert policy.get("script-src") == ["'self'"], (name, policy)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy.get("base-uri") == ["'none'"], (name, policy)
    return policy


def test_every_api_response_carries_a_strict_content_security_policy(responses):
    for name, (_, response) in responses.items():
        policy = assert_strict_policy(response, name)
        assert "'unsafe-inline'" not in policy.get("style-src", []), name


def test_the_docs_page_keeps_the_strict_script_policy(db):
    page = Api().get("/api/docs/")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert_strict_policy(page, "docs")


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.urls: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if tag == "script":
            self._open = {"attrs": attributes, "body": ""}
            self.scripts.append(self._open)
        for name in attributes:
            assert not name.startswith("on"), f"inline event handler {name} on <{tag}>"

    def handle_data(self, data):
        if self._open is not None:
            self._open["body"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def test_the_docs_page_has_no_inline_script_and_loads_nothing_from_elsewhere(db):
    page = Api().get("/api/docs/")
    parser = _Scripts()
    parser.feed(page.content.decode())

    assert parser.scripts, "the docs page loads Swagger UI with scripts"
    for script in parser.scripts:
        assert script["attrs"].get("src"), f"inline script: {script['body'][:80]!r}"
        assert not script["body"].strip(), f"a script with a src carries code too: {script}"
    for url in parser.urls:
        parsed = urlparse(url)
        assert not parsed.scheme and not parsed.netloc, f"third-party asset {url}"
    assert any(urlparse(s["attrs"]["src"]).path == "/api/docs/" for s in parser.scripts)


def test_the_swagger_start_up_script_is_served_as_javascript(db):
    page = Api().get("/api/docs/")
    parser = _Scripts()
    parser.feed(page.content.decode())
    own = [s["attrs"]["src"] for s in parser.scripts if s["attrs"]["src"].startswith("/api/docs/")]
    assert len(own) == 1

    script = Api().get(own[0])

    assert script.status_code == 200
    assert script["Content-Type"].split(";")[0] in ("application/javascript", "text/javascript")
    body = script.content.decode()
    assert "SwaggerUIBundle" in body
    assert "<html" not in body.lower()
    assert_strict_policy(script, "docs script")


def test_every_api_response_forbids_content_sniffing(responses):
    for name, (_, response) in responses.items():
        assert response.get("X-Content-Type-Options") == "nosniff", name


def test_api_responses_cannot_be_framed_and_leak_no_referrer(responses):
    for name, (_, response) in responses.items():
        assert response.get("X-Frame-Options") == "DENY", name
        assert response.get("Referrer-Policy") == "same-origin", name


# --- cross-origin requests ----------------------------------------------------------------------


def _cors_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k.lower().startswith("access-control-")}


def test_no_response_allows_another_origin_to_read_it(caseworker_api):
    anonymous = Api()
    answers = [
        caseworker_api.get("/api/v1/me/", HTTP_ORIGIN=ORIGIN),
        caseworker_api.get("/api/v1/clients/", HTTP_ORIGIN=ORIGIN),
        anonymous.get("/api/v1/me/", HTTP_ORIGIN=ORIGIN),
        anonymous.get("/api/schema/", HTTP_ORIGIN=ORIGIN),
        anonymous.post(
            "/api/v1/auth/login/",
            {"username": caseworker_api.principal.username, "password": PASSWORD},
            HTTP_ORIGIN=ORIGIN,
        ),
    ]
    for response in answers:
        assert response.status_code < 500
        assert _cors_headers(response) == {}, response.request["PATH_INFO"]


@pytest.mark.parametrize("url", ["/api/v1/auth/login/", "/api/v1/clients/", "/api/v1/me/"])
def test_a_cors_preflight_is_not_granted(db, url):
    response = Api().options(
        url,
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert _cors_headers(response) == {}


# --- production settings ------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "casework.settings.prod",
    "DJANGO_SECRET_KEY": "q8#Lm2!vTp5@rX4$wZ9&nB7^kC3*hF6(jD1)gS0_aE5+uY8=iO2-eR7~tW4",
    "DJANGO_ALLOWED_HOSTS": "casework.example.org",
    "DATABASE_URL": "postgres://casework@127.0.0.1:5432/casework",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/1",
    "FIELD_ENCRYPTION_KEYS": "k2026:cHJvZHVjdGlvbi10ZXN0LWZpZWxkLWtleS0zMmJ5dGU=",
    "FIELD_HASH_KEY": "cHJvZHVjdGlvbi10ZXN0LWhhc2gta2V5LTMyYnl0ZXM=",
    "AUDIT_HASH_KEYS": "a2026:cHJvZHVjdGlvbi10ZXN0LWF1ZGl0LWNoYWluLWtleSE=",
    "CHECKER_HASH_KEYS": "c2026:cHJvZHVjdGlvbi10ZXN0LWNoZWNrZXIta2V5LTMyYnk=",
}

# Runs in a process of its own under the production settings; touches no database.
PROBE = """
import json, warnings
warnings.simplefilter("ignore")
import django
django.setup()
from django.conf import settings
from django.test import Client

names = [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_PATH", "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN", "API_DOCS_PUBLIC",
]
values = {name: getattr(settings, name) for name in names}
client = Client(HTTP_HOST="casework.example.org")
secure = client.get("/healthz", secure=True)
plain_api = client.get("/api/v1/me/")
values["hsts_header"] = secure.get("Strict-Transport-Security")
values["plain_api_status"] = plain_api.status_code
values["plain_api_location"] = plain_api.get("Location")
print("PROBE" + json.dumps(values))
"""


@pytest.fixture(scope="module")
def production():
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("PROBE"))
    return json.loads(line[len("PROBE") :])


def test_production_sends_hsts_for_at_least_a_year_with_subdomains(production):
    assert production["DEBUG"] is False
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    header = production["hsts_header"]
    assert header, "no Strict-Transport-Security header over HTTPS"
    parts = [p.strip() for p in header.split(";")]
    max_age = int(next(p for p in parts if p.startswith("max-age=")).split("=")[1])
    assert max_age >= 365 * 24 * 60 * 60
    assert "includeSubDomains" in parts


def test_production_cookies_are_secure_host_only_cookies(production):
    for prefix in ("SESSION", "CSRF"):
        assert production[f"{prefix}_COOKIE_NAME"].startswith("__Host-"), prefix
        assert production[f"{prefix}_COOKIE_SECURE"] is True, prefix
        # A __Host- cookie must have Path=/ and no Domain, or browsers drop it.
        assert production[f"{prefix}_COOKIE_PATH"] == "/", prefix
        assert production[f"{prefix}_COOKIE_DOMAIN"] is None, prefix
        assert production[f"{prefix}_COOKIE_SAMESITE"] == "Strict", prefix
    assert production["SESSION_COOKIE_HTTPONLY"] is True


def test_production_does_not_redirect_plain_http_api_calls(production):
    """A token sent in clear must fail, not be silently upgraded after it crossed the wire."""
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["plain_api_status"] == 401
    assert production["plain_api_location"] is None


def test_production_keeps_the_api_docs_to_admins(production):
    assert production["API_DOCS_PUBLIC"] is False
