"""Signing in to the console: the API's accounts, one-time code, lockout and audit; a session
that is its token, ending when the token does; cookies that are Secure and __Host-; CSRF on
every form."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken

from casework.accounts.services.staff import tokens_revoke_all
from casework.audit.models import AuditEvent

from ..api.sign_in.world import START, code, enrol, wrong
from ..conftest import client_for
from ..factories import PASSWORD
from .world import SIGN_IN, Console, console_for, sign_in

pytestmark = pytest.mark.django_db

GENERIC = "Unable to sign in with those credentials."


def test_signing_in_opens_a_token_and_lands_on_the_caseload(caseworker):
    console, response = sign_in(caseworker.username)
    assert response.status_code == 302
    assert response["Location"] == "/app/caseload/"
    assert AuthToken.objects.filter(user=caseworker).count() == 1
    assert AuditEvent.objects.filter(action="auth.login", actor_id=caseworker.pk).count() == 1
    page = console.get("/app/caseload/")
    assert page.status_code == 200
    assert "My caseload" in page.content.decode()


def test_a_police_liaison_lands_on_their_shared_cases(police_liaison):
    _, response = sign_in(police_liaison.username)
    assert response["Location"] == "/app/shared/"


def test_the_session_and_csrf_cookies_are_secure_host_cookies(caseworker):
    console, response = sign_in(caseworker.username)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Strict" and session["path"] == "/" and not session["domain"]
    csrf = console.cookies[settings.CSRF_COOKIE_NAME]
    assert settings.CSRF_COOKIE_NAME.startswith("__Host-")
    assert csrf["secure"] and csrf["path"] == "/"


def test_a_wrong_password_is_refused_keeping_the_username_and_recorded(caseworker):
    console, response = sign_in(caseworker.username, "not-the-password")
    assert response.status_code == 403
    html = response.content.decode()
    assert GENERIC in html
    assert f'value="{caseworker.username}"' in html
    assert "not-the-password" not in html
    assert AuthToken.objects.filter(user=caseworker).count() == 0
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_id=caseworker.pk).exists()
    assert console.get("/app/caseload/")["Location"] == SIGN_IN


def test_an_empty_form_says_what_is_missing_beside_each_field(caseworker):
    response = Console().submit(SIGN_IN, {"username": "", "password": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_username-error"' in html and 'id="id_password-error"' in html


def test_two_factor_sign_in_needs_the_current_code(caseworker):
    with time_machine.travel(START, tick=False):
        device, _ = enrol(client_for(caseworker), caseworker)
    with time_machine.travel(START + timedelta(seconds=60), tick=False):
        _, without = sign_in(caseworker.username)
        assert without.status_code == 403 and GENERIC in without.content.decode()
        _, wrong_code = sign_in(caseworker.username, otp=wrong(device))
        assert wrong_code.status_code == 403
    # The next step, past django-otp's back-off after the wrong code.
    with time_machine.travel(START + timedelta(seconds=90), tick=False):
        _, right = sign_in(caseworker.username, otp=code(device))
        assert right.status_code == 302


def test_repeated_failures_lock_the_username_out_as_the_api_does(caseworker):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(caseworker.username, "wrong-password-here")[1].status_code == 403
    _, locked = sign_in(caseworker.username, "wrong-password-here")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused while the lockout lasts.
    _, right = sign_in(caseworker.username, PASSWORD)
    assert right.status_code == 429


def test_a_form_without_its_csrf_token_is_refused(caseworker):
    console = Console()
    response = console.post(SIGN_IN, {"username": caseworker.username, "password": PASSWORD})
    assert response.status_code == 403
    assert AuthToken.objects.filter(user=caseworker).count() == 0


def test_the_session_ends_when_its_token_is_revoked(caseworker, supervisor):
    console = console_for(caseworker)
    tokens_revoke_all(user=caseworker, by=supervisor, reason="revoked_by_supervisor")
    response = console.get("/app/caseload/")
    assert response.status_code == 302 and response["Location"] == SIGN_IN


def test_the_session_idles_out_as_a_token_does(caseworker):
    console = console_for(caseworker)
    idle = settings.REST_KNOX["TOKEN_TTL"]
    with time_machine.travel(timezone.now() + idle - timedelta(minutes=2)):
        assert console.get("/app/caseload/").status_code == 200
    # Each page renews the token, as each API call does.
    with time_machine.travel(timezone.now() + idle + timedelta(minutes=5)):
        assert console.get("/app/caseload/").status_code == 200
    with time_machine.travel(timezone.now() + 3 * idle):
        assert console.get("/app/caseload/")["Location"] == SIGN_IN


def test_the_session_ends_at_the_tokens_absolute_lifetime(caseworker):
    """However busy the person is, the session ends at the token's absolute lifetime."""
    console = console_for(caseworker)
    step = settings.REST_KNOX["TOKEN_TTL"] - timedelta(minutes=5)
    lifetime = settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]
    start = now = timezone.now()
    while True:
        now += step
        with time_machine.travel(now):
            if console.get("/app/caseload/").status_code != 200:
                break
    assert lifetime - step < now - start <= lifetime + step
    assert lifetime.total_seconds() >= settings.SESSION_COOKIE_AGE


def test_signing_out_ends_the_token_and_clears_the_browser(caseworker):
    console = console_for(caseworker)
    response = console.submit("/app/sign-out/")
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert '"cookies"' in response["Clear-Site-Data"]
    assert AuthToken.objects.filter(user=caseworker).count() == 0
    assert AuditEvent.objects.filter(action="auth.logout", actor_id=caseworker.pk).exists()
    assert console.get("/app/caseload/")["Location"] == SIGN_IN


def test_signing_out_needs_a_post_with_its_csrf_token(caseworker):
    console = console_for(caseworker)
    assert console.get("/app/sign-out/").status_code == 405
    assert console.post("/app/sign-out/").status_code == 403
    assert AuthToken.objects.filter(user=caseworker).count() == 1


def test_a_person_whose_charity_requires_two_factor_sets_it_up_first(caseworker):
    caseworker.organisation.require_two_factor = True
    caseworker.organisation.save()
    console = console_for(caseworker)
    response = console.get("/app/caseload/")
    assert response.status_code == 403
    assert "Set up two-factor sign-in first" in response.content.decode()
