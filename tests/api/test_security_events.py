"""Refused requests are security events without personal data (ASVS 16.3.2, 16.3.3), a police
caller probing for a share gets exactly the answer a made-up id gets while the owning charity
learns of the attempt, changes to accounts and keys are audited, and a deactivated organisation
can no longer get in."""

import uuid

import pytest

from casework.accounts.services.api_keys import api_key_revoke
from casework.audit.models import AuditEvent

from ..conftest import Api, client_for, client_for_key
from ..editing import edit
from ..factories import (
    PASSWORD,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    make_api_key,
)
from .police_sharing.world import PSEUDONYM, open_case, withdraw

pytestmark = pytest.mark.django_db


def mark() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.id if last else 0


def security_events(after: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(id__gt=after, action__startswith="security.").order_by("id")
    )


def without_request_id(response) -> dict:
    body = response.json()
    body.pop("request_id", None)
    return body


# --- refusals ---------------------------------------------------------------------------------


def test_a_request_without_credentials_is_a_security_event_in_the_platform_chain(db):
    before = mark()
    assert Api().get("/api/v1/cases/").status_code == 401
    [event] = security_events(before)
    assert event.action == "security.unauthenticated"
    assert event.chain == "platform"
    assert event.actor_label == "anonymous"
    assert event.detail["status"] == 401
    assert "cases" in event.detail["route"]


def test_a_flood_of_anonymous_refusals_is_recorded_once_a_minute(db):
    before = mark()
    for _ in range(5):
        assert Api().get("/api/v1/cases/").status_code == 401
    assert len(security_events(before)) == 1


def test_an_unknown_api_key_is_recorded_with_its_prefix_in_no_organisations_chain(charity):
    before = mark()
    response = client_for_key("Zz9nokey.secretsecret").get("/api/v1/shared-cases/")
    assert response.status_code == 401
    [event] = security_events(before)
    assert event.chain == "platform"
    assert event.detail["api_key_prefix"] == "Zz9nokey"
    assert event.detail["reason"] == "unknown"


def test_a_revoked_api_key_is_recorded_in_its_organisations_chain(charity):
    api_key, secret = make_api_key(charity)
    api_key_revoke(api_key=api_key, by="test-suite")
    before = mark()
    assert client_for_key(secret).get("/api/v1/me/").status_code == 401
    [event] = security_events(before)
    assert event.chain == str(charity.pk)
    assert event.detail["reason"] == "revoked"
    assert event.detail["api_key_prefix"] == api_key.prefix


def test_a_wrong_secret_for_a_real_prefix_never_reaches_the_organisations_chain(charity):
    api_key, _ = make_api_key(charity)
    before = mark()
    assert client_for_key(f"{api_key.prefix}.not-the-secret").get("/api/v1/me/").status_code == 401
    [event] = security_events(before)
    assert event.chain == "platform"
    assert event.detail["reason"] == "wrong_secret"


def test_a_forbidden_request_is_recorded_against_the_person(as_caseworker, caseworker):
    before = mark()
    assert as_caseworker.get("/api/v1/audit-events/").status_code == 403
    [event] = security_events(before)
    assert event.action == "security.forbidden"
    assert event.actor_id == caseworker.pk
    assert event.chain == str(caseworker.organisation_id)
    assert event.detail["method"] == "GET"


def test_every_forbidden_request_of_a_known_person_is_recorded(as_caseworker):
    before = mark()
    for _ in range(3):
        assert as_caseworker.get("/api/v1/audit-events/").status_code == 403
    assert len(security_events(before)) == 3


def test_a_not_found_on_a_record_route_is_recorded_but_not_on_a_list(as_caseworker, caseworker):
    before = mark()
    missing = uuid.uuid4()
    assert as_caseworker.get(f"/api/v1/cases/{missing}/").status_code == 404
    assert as_caseworker.get("/api/v1/no-such-list/").status_code == 404
    [event] = security_events(before)
    assert event.action == "security.not_found"
    assert event.detail["ids"] == {"pk": str(missing)}


def test_a_throttled_request_is_recorded_once_a_minute(settings, as_caseworker, caseworker):
    settings.THROTTLE_RATES = {"person": "2/minute", "integration": "2/minute", "login": "2/minute"}
    before = mark()
    statuses = [as_caseworker.get("/api/v1/me/").status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    [event] = security_events(before)
    assert event.action == "security.throttled"
    assert event.actor_id == caseworker.pk


def test_an_illegal_transition_is_recorded_and_a_permitted_conflict_is_not(
    as_caseworker, caseworker
):
    case = open_case(caseworker)
    before = mark()
    illegal = as_caseworker.post(
        f"/api/v1/cases/{case.id}/transitions/",
        {"lifecycle": "justice", "to": "sentenced", "reason": "skipping ahead"},
        format="json",
    )
    assert illegal.status_code == 409
    [event] = security_events(before)
    assert event.action == "security.refused_change"
    assert event.detail["code"] == "illegal_transition"
    assert event.detail["ids"] == {"pk": str(case.pk)}


def test_security_events_carry_no_personal_data(as_caseworker, caseworker):
    case = open_case(caseworker)
    before = mark()
    as_caseworker.post(
        f"/api/v1/cases/{case.id}/transitions/",
        {"lifecycle": "justice", "to": "sentenced", "reason": f"{PSEUDONYM} asked"},
        format="json",
    )
    as_caseworker.get("/api/v1/audit-events/?q=" + PSEUDONYM)
    events = security_events(before)
    assert len(events) == 2
    for event in events:
        stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
        assert PSEUDONYM not in stored


# --- a police caller probing for shares ---------------------------------------------------------


@pytest.fixture
def shared(caseworker, police_force):
    case = open_case(caseworker)
    return case, SharedCaseFactory(case=case, police_force=police_force)


def test_another_forces_share_answers_exactly_like_a_made_up_id_and_tells_the_charity(
    shared, charity, police_force
):
    case, share = shared
    other_force = PoliceForceFactory()
    outsider = client_for(PoliceLiaisonFactory(organisation=other_force))
    made_up = outsider.get(f"/api/v1/shared-cases/{uuid.uuid4()}/")
    before = mark()
    probing = outsider.get(f"/api/v1/shared-cases/{share.id}/")
    assert probing.status_code == made_up.status_code == 404
    assert without_request_id(probing) == without_request_id(made_up)
    [event] = security_events(before)
    assert event.chain == str(charity.pk)
    assert event.case_id == case.pk
    assert event.actor_organisation_id == other_force.pk
    assert event.detail["share"] == share.share_reference


def test_a_share_after_withdrawal_answers_404_and_the_attempt_is_the_charitys_record(
    shared, as_caseworker, as_police, charity, police_force, police_liaison
):
    case, share = shared
    withdraw(as_caseworker, case, police_force)
    made_up = as_police.get(f"/api/v1/shared-cases/{uuid.uuid4()}/updates/")
    before = mark()
    for path in ("", "updates/", "court-events/"):
        response = as_police.get(f"/api/v1/shared-cases/{share.id}/{path}")
        assert response.status_code == 404
        assert without_request_id(response) == without_request_id(made_up)
    events = security_events(before)
    assert len(events) == 3
    for event in events:
        assert event.chain == str(charity.pk)
        assert event.actor_id == police_liaison.pk
        assert event.detail["share_active"] is False


def test_a_charity_supervisor_sees_the_probe_on_the_cases_access_log(
    shared, as_caseworker, as_police, as_supervisor, police_force
):
    case, share = shared
    withdraw(as_caseworker, case, police_force)
    as_police.get(f"/api/v1/shared-cases/{share.id}/")
    log = as_supervisor.get(f"/api/v1/cases/{case.id}/access-log/").json()["results"]
    assert "security.not_found" in [e["action"] for e in log]


# --- account changes are audited ----------------------------------------------------------------


def actions_after(before: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("action", flat=True)
    )


def test_staff_changes_are_audited(as_supervisor, supervisor, charity):
    before = mark()
    created = as_supervisor.post(
        "/api/v1/staff/",
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "role": "caseworker",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    staff_id = created.json()["id"]
    edit(as_supervisor, f"/api/v1/staff/{staff_id}/", {"role": "isva"}, format="json")
    as_supervisor.post(f"/api/v1/staff/{staff_id}/deactivate/")
    as_supervisor.post(f"/api/v1/staff/{staff_id}/activate/")
    as_supervisor.post(f"/api/v1/staff/{staff_id}/revoke-tokens/")
    actions = actions_after(before)
    for expected in (
        "staff.create",
        "staff.role_change",
        "staff.deactivate",
        "auth.tokens_revoked",
        "staff.activate",
    ):
        assert expected in actions
    change = AuditEvent.objects.get(action="staff.role_change", object_id=staff_id)
    assert change.detail["role"] == {"from": "caseworker", "to": "isva"}
    assert change.actor_id == supervisor.pk
    assert change.chain == str(charity.pk)


def test_api_key_creation_and_revocation_are_audited(as_supervisor, charity):
    before = mark()
    created = as_supervisor.post(
        "/api/v1/api-keys/",
        {"name": "Reporting form", "scopes": ["referrals:write"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    key_id = created.json()["id"]
    as_supervisor.post(f"/api/v1/api-keys/{key_id}/revoke/")
    made = AuditEvent.objects.get(id__gt=before, action="api_key.create")
    revoked = AuditEvent.objects.get(id__gt=before, action="api_key.revoke")
    assert made.object_id == revoked.object_id == key_id
    secret = created.json()["key"]
    assert secret not in str(AuditEvent.objects.filter(pk=made.pk).values().get())


# --- a deactivated organisation ----------------------------------------------------------------


def test_a_deactivated_organisation_is_shut_out_at_once(
    as_superuser, charity, caseworker, as_caseworker, charity_key
):
    _, secret = charity_key
    assert as_caseworker.get("/api/v1/me/").status_code == 200
    response = edit(
        as_superuser, f"/api/v1/organisations/{charity.id}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["is_active"] is False
    assert as_caseworker.get("/api/v1/me/").status_code == 401
    assert client_for_key(secret).get("/api/v1/me/").status_code == 401
    login = Api().post(
        "/api/v1/auth/login/",
        {"username": caseworker.username, "password": PASSWORD},
        format="json",
    )
    assert login.status_code == 400
    assert AuditEvent.objects.filter(action="organisation.deactivate").count() == 1
    refused_key = AuditEvent.objects.filter(
        action="security.unauthenticated", detail__reason="organisation_inactive"
    ).get()
    assert refused_key.chain == str(charity.pk)


def test_reactivating_an_organisation_lets_its_staff_sign_in_again(as_superuser, charity):
    supervisor = SupervisorFactory(organisation=charity)
    edit(as_superuser, f"/api/v1/organisations/{charity.id}/", {"is_active": False}, format="json")
    edit(as_superuser, f"/api/v1/organisations/{charity.id}/", {"is_active": True}, format="json")
    assert client_for(supervisor).get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="organisation.activate").count() == 1
