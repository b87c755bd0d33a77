"""An organisation's requirement of two-factor sign-in: set by a supervisor, binding everyone of
the organisation (the supervisor too) until they enrol, and nobody else."""

import pytest

from casework.audit.models import AuditEvent

from ...conftest import client_for
from ...editing import edit
from ...factories import PASSWORD, UserFactory
from .world import SETTINGS, TWO_FACTOR, code, enrol, next_step, sign_in, signed_in

pytestmark = pytest.mark.django_db


GATED_FOR_STAFF = [
    "/api/v1/cases/",
    "/api/v1/clients/",
    "/api/v1/referrals/",
    "/api/v1/reminders/",
    "/api/v1/caseload/",
    "/api/v1/entitlements/",
    "/api/v1/me/reminder-preferences/",
]
GATED_FOR_SUPERVISORS = [
    *GATED_FOR_STAFF,
    "/api/v1/staff/",
    "/api/v1/api-keys/",
    "/api/v1/audit-events/",
    "/api/v1/reminder-policy/",
    SETTINGS,
]


def assert_enrolment_required(response) -> None:
    """Refused for want of enrolment, not for want of a role (the code is tested on its own)."""
    assert response.status_code == 403, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"code", "message", "request_id"}
    assert "two-factor" in body["message"], body


def test_a_supervisor_can_require_two_factor_for_the_organisation(as_supervisor, charity):
    response = edit(as_supervisor, SETTINGS, {"require_two_factor": True})
    assert response.status_code == 200, response.json()
    assert response.json()["require_two_factor"] is True
    charity.refresh_from_db()
    assert charity.require_two_factor is True
    assert AuditEvent.objects.filter(action="organisation.settings", organisation=charity).exists()


def test_a_caseworker_cannot_change_the_organisation_settings(as_caseworker, charity):
    assert edit(as_caseworker, SETTINGS, {"require_two_factor": True}).status_code == 403
    charity.refresh_from_db()
    assert charity.require_two_factor is False


@pytest.mark.parametrize("url", GATED_FOR_STAFF)
def test_once_required_staff_without_two_factor_are_refused_everywhere_else(
    as_supervisor, as_caseworker, url
):
    assert as_caseworker.get(url).status_code == 200
    assert edit(as_supervisor, SETTINGS, {"require_two_factor": True}).status_code == 200

    assert_enrolment_required(as_caseworker.get(url))


@pytest.mark.parametrize("url", GATED_FOR_SUPERVISORS)
def test_the_requirement_binds_the_supervisor_who_set_it_too(as_supervisor, url):
    assert edit(as_supervisor, SETTINGS, {"require_two_factor": True}).status_code == 200
    assert_enrolment_required(as_supervisor.get(url))


def test_the_enrolment_refusal_carries_the_code_two_factor_required(as_supervisor, as_caseworker):
    edit(as_supervisor, SETTINGS, {"require_two_factor": True})
    codes = {url: as_caseworker.get(url).json()["code"] for url in GATED_FOR_STAFF}
    codes[SETTINGS] = as_supervisor.get(SETTINGS).json()["code"]
    assert set(codes.values()) == {"two_factor_required"}, codes


def test_writes_are_refused_too_until_enrolment(as_supervisor, as_caseworker):
    edit(as_supervisor, SETTINGS, {"require_two_factor": True})
    response = as_caseworker.post("/api/v1/clients/", {"pseudonym": "Wren"})
    assert_enrolment_required(response)


def test_me_password_two_factor_and_logout_stay_open_during_enrolment(as_supervisor, as_caseworker):
    edit(as_supervisor, SETTINGS, {"require_two_factor": True})

    assert as_caseworker.get("/api/v1/me/").status_code == 200
    assert as_caseworker.get(TWO_FACTOR).json() == {"enabled": False, "required": True}
    password = as_caseworker.post(
        "/api/v1/auth/password/",
        {"current_password": "not-the-current-one", "new_password": "x" * 20},
    )
    assert password.status_code == 400  # reached the view: refused on its merits, not gated
    assert "current_password" in password.json()["fields"]
    assert as_caseworker.post(TWO_FACTOR, {"password": PASSWORD}).status_code == 201
    assert as_caseworker.post("/api/v1/auth/logout/").status_code == 204


def test_enrolling_lifts_the_refusal(as_supervisor, caseworker, clock):
    edit(as_supervisor, SETTINGS, {"require_two_factor": True})
    api = client_for(caseworker)
    assert_enrolment_required(api.get("/api/v1/cases/"))

    device, _ = enrol(api, caseworker)
    next_step(clock)
    api = signed_in(sign_in(caseworker.username, otp=code(device)))

    assert api.get("/api/v1/cases/").status_code == 200


def test_the_requirement_does_not_reach_another_organisation(as_supervisor, other_charity):
    outsider = client_for(UserFactory(organisation=other_charity))
    edit(as_supervisor, SETTINGS, {"require_two_factor": True})
    assert outsider.get("/api/v1/cases/").status_code == 200
