"""Every model has an admin page; only superusers get in, and only with a verified second
factor; and what the admin changes goes through the services the API uses."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.oath import totp
from knox.models import AuthToken

from casework.accounts.models import AuthenticatorDevice, Organisation, User
from casework.accounts.services import two_factor
from casework.audit.models import AuditEvent

from .conftest import client_for
from .factories import PASSWORD, CaseFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = [c for c in apps.get_app_configs() if c.name.startswith("casework.")]
LOGIN = "/admin/login/"
ENROL = "/admin/two-factor/"
START = datetime(2027, 3, 3, 10, 0, 5, tzinfo=UTC)  # five seconds into a TOTP step


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def code(device: AuthenticatorDevice) -> str:
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def enrolled(user, clock) -> AuthenticatorDevice:
    """An authenticator set up through the service, one step before the code used next."""
    device = two_factor.two_factor_enrol(user=user, password=PASSWORD, request=None)
    two_factor.two_factor_confirm(user=user, code=code(device))
    clock.shift(timedelta(seconds=30))
    device.refresh_from_db()
    return device


def sign_in(browser: Client, user, otp: str = "") -> object:
    return browser.post(
        LOGIN,
        {"username": user.username, "password": PASSWORD, "otp_token": otp, "next": "/admin/"},
    )


@pytest.fixture
def admin_browser(superuser, clock) -> Client:
    browser = Client()
    device = enrolled(superuser, clock)
    response = sign_in(browser, superuser, code(device))
    assert response.status_code == 302, response.content
    assert browser.get("/admin/").status_code == 200
    return browser


def test_every_project_model_is_registered_in_the_admin():
    models = [m for config in PROJECT_APPS for m in config.get_models()]
    assert models
    missing = [m.__name__ for m in models if not admin.site.is_registered(m)]
    assert missing == []


def test_staff_who_are_not_superusers_are_kept_out(client, supervisor):
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_superuser_with_a_password_session_alone_is_kept_out(client, superuser, clock):
    enrolled(superuser, clock)
    client.force_login(superuser)  # a session without a verified factor

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_refuses_a_superuser_without_the_code_and_records_it(superuser, clock):
    enrolled(superuser, clock)
    browser = Client()

    missing = sign_in(browser, superuser)
    wrong = sign_in(browser, superuser, "000000")

    assert missing.status_code == wrong.status_code == 403
    assert browser.get("/admin/").status_code == 302
    refusals = AuditEvent.objects.filter(action="auth.login_failed", actor=superuser)
    assert [e.detail for e in refusals] == [{"reason": "one_time_code", "channel": "admin"}] * 2


def test_a_missing_code_is_refused_in_the_same_words_as_a_wrong_password(superuser, clock):
    enrolled(superuser, clock)
    browser = Client()
    no_code = sign_in(browser, superuser)
    bad_password = browser.post(
        LOGIN, {"username": superuser.username, "password": "not-the-password", "otp_token": ""}
    )
    assert no_code.context["form"].non_field_errors() == (
        bad_password.context["form"].non_field_errors()
    )


def test_wrong_admin_codes_count_towards_the_lockout(superuser, clock):
    device = enrolled(superuser, clock)
    browser = Client()
    for _ in range(5):
        clock.shift(timedelta(seconds=3))
        sign_in(browser, superuser, "000000")
    clock.shift(timedelta(seconds=30))

    response = sign_in(browser, superuser, code(device))

    assert response.status_code == 403
    assert browser.get("/admin/").status_code == 302


def test_a_superuser_with_the_password_and_a_current_code_gets_in(admin_browser):
    for config in PROJECT_APPS:
        for model in config.get_models():
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert admin_browser.get(url).status_code == 200, url


def test_a_superuser_without_a_factor_is_sent_to_enrol_and_reaches_nothing_else(superuser, clock):
    browser = Client()
    response = sign_in(browser, superuser)
    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert browser.get("/admin/accounts/user/").status_code == 302

    wrong_password = browser.post(ENROL, {"password": "not-the-password"})
    assert wrong_password.status_code == 400
    assert not AuthenticatorDevice.objects.filter(user=superuser).exists()
    assert AuditEvent.objects.filter(
        action="auth.reauthentication_failed", actor=superuser
    ).exists()

    started = browser.post(ENROL, {"password": PASSWORD})
    assert started.status_code == 200
    device = AuthenticatorDevice.objects.get(user=superuser, confirmed=False)
    assert browser.post(ENROL, {"code": "000000"}).status_code == 400

    confirmed = browser.post(ENROL, {"code": code(device)})

    assert confirmed.status_code == 200
    assert len(confirmed.context["recovery_codes"]) == 10
    assert browser.get("/admin/accounts/user/").status_code == 200


def test_a_role_changed_in_the_admin_ends_the_access_it_gave_at_once(admin_browser, charity):
    supervisor = SupervisorFactory(organisation=charity)
    case = CaseFactory(opened_by=SupervisorFactory(organisation=charity))
    as_supervisor = client_for(supervisor)
    assert as_supervisor.get(f"/api/v1/cases/{case.pk}/").status_code == 200

    response = admin_browser.post(
        f"/admin/accounts/user/{supervisor.pk}/change/",
        {
            "first_name": supervisor.first_name,
            "last_name": supervisor.last_name,
            "email": supervisor.email,
            "role": "caseworker",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content
    assert as_supervisor.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    supervisor.refresh_from_db()
    assert supervisor.role == "caseworker"
    assert not supervisor.groups.exists()
    event = AuditEvent.objects.get(action="staff.role_change", object_id=str(supervisor.pk))
    assert event.detail == {"role": {"from": "supervisor", "to": "caseworker"}}


def test_a_role_that_does_not_fit_the_organisation_is_refused_in_the_admin(
    admin_browser, caseworker
):
    response = admin_browser.post(
        f"/admin/accounts/user/{caseworker.pk}/change/",
        {"role": "police_liaison", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    caseworker.refresh_from_db()
    assert caseworker.role == "caseworker"


def test_deactivating_in_the_admin_ends_the_persons_sessions(admin_browser, caseworker):
    client_for(caseworker)
    response = admin_browser.post(
        f"/admin/accounts/user/{caseworker.pk}/change/", {"role": "caseworker"}
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert not caseworker.is_active
    assert not AuthToken.objects.filter(user=caseworker).exists()
    assert AuditEvent.objects.filter(action="staff.deactivate", object_id=str(caseworker.pk))


def test_superuser_status_groups_and_passwords_cannot_be_changed_in_the_admin(
    admin_browser, caseworker
):
    group = Group.objects.create(name="anything")
    admin_browser.post(
        f"/admin/accounts/user/{caseworker.pk}/change/",
        {
            "role": "caseworker",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [group.pk],
            "username": "renamed",
        },
    )
    caseworker.refresh_from_db()
    assert not caseworker.is_superuser and not caseworker.is_staff
    assert caseworker.username != "renamed"
    assert not caseworker.groups.exists()
    assert admin_browser.get(f"/admin/accounts/user/{caseworker.pk}/password/").status_code in (
        302,
        404,
    )
    assert admin_browser.get("/admin/accounts/user/add/").status_code == 403
    assert admin_browser.get("/admin/auth/group/add/").status_code == 403
    assert admin_browser.get("/admin/knox/authtoken/add/").status_code == 403
    assert admin_browser.get("/admin/accounts/authenticatordevice/add/").status_code == 403


def test_organisations_made_and_changed_in_the_admin_go_through_the_services(
    admin_browser, caseworker
):
    response = admin_browser.post(
        "/admin/accounts/organisation/add/",
        {"name": "Harbour Outreach", "code": "HBO", "kind": "charity"},
    )
    assert response.status_code == 302, response.content
    created = Organisation.objects.get(code="HBO")
    assert AuditEvent.objects.filter(action="organisation.create", object_id=str(created.pk))

    charity = caseworker.organisation
    client_for(caseworker)
    response = admin_browser.post(
        f"/admin/accounts/organisation/{charity.pk}/change/",
        {
            "name": charity.name,
            "retention_years": 6,
            "areas": "",
            "require_two_factor": "on",
            "stats_threshold": 5,
        },
    )
    assert response.status_code == 302, response.content
    charity.refresh_from_db()
    assert not charity.is_active and charity.require_two_factor
    assert not AuthToken.objects.filter(user=caseworker).exists()
    assert AuditEvent.objects.filter(action="organisation.deactivate", object_id=str(charity.pk))
    assert AuditEvent.objects.filter(action="organisation.settings", object_id=str(charity.pk))


def test_the_admin_never_shortens_a_retention_period(admin_browser, caseworker):
    charity = caseworker.organisation
    response = admin_browser.post(
        f"/admin/accounts/organisation/{charity.pk}/change/",
        {
            "name": charity.name,
            "retention_years": 2,
            "areas": "",
            "is_active": "on",
            "stats_threshold": 5,
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert b"approved by another" in response.content
    charity.refresh_from_db()
    assert charity.retention_years == 6
    assert not AuditEvent.objects.filter(action="organisation.settings").exists()


def test_the_admin_raises_a_statistics_threshold_but_never_below_the_floor(
    admin_browser, caseworker
):
    charity = caseworker.organisation
    change = f"/admin/accounts/organisation/{charity.pk}/change/"
    form = {"name": charity.name, "retention_years": 6, "areas": "", "is_active": "on"}
    refused = admin_browser.post(change, {**form, "stats_threshold": 4})
    assert refused.status_code == 200  # the form again, with its error
    assert b"never set below this deployment&#x27;s 5" in refused.content
    charity.refresh_from_db()
    assert charity.stats_threshold == 5
    raised = admin_browser.post(change, {**form, "stats_threshold": 9})
    assert raised.status_code == 302, raised.content
    charity.refresh_from_db()
    assert charity.stats_threshold == 9
    event = AuditEvent.objects.get(action="organisation.settings", object_id=str(charity.pk))
    assert event.changed_fields == ["stats_threshold"]


def test_no_authenticator_secret_is_shown_in_the_admin(admin_browser, superuser):
    device = AuthenticatorDevice.objects.get(user=superuser)
    page = admin_browser.get(f"/admin/accounts/authenticatordevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key.encode() not in page.content
    assert User.objects.filter(pk=superuser.pk).exists()


def test_signing_out_of_the_admin_tells_the_browser_to_forget_the_site(admin_browser):
    response = admin_browser.post("/admin/logout/")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert admin_browser.get("/admin/").status_code == 302


def test_the_admin_sign_in_masks_the_password(client):
    page = client.get(LOGIN).content.decode()
    assert re.search(r'<input type="password" name="password"', page)
