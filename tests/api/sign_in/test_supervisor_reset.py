"""A supervisor's reset for a lost authenticator removes the devices and ends the sessions,
and only within their own organisation."""

import pytest

from casework.accounts.models import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice
from casework.audit.models import AuditEvent

from ...conftest import client_for
from ...factories import SupervisorFactory, UserFactory
from .world import code, sign_in, signed_in

pytestmark = pytest.mark.django_db


def test_a_supervisor_reset_removes_the_devices_and_ends_the_sessions(
    as_supervisor, supervisor, caseworker, enrolled
):
    device, _ = enrolled
    session = signed_in(sign_in(caseworker.username, otp=code(device)))

    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")

    assert response.status_code == 200, response.json()
    assert not AuthenticatorDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCodeDevice.objects.filter(user=caseworker).exists()
    assert not RecoveryCode.objects.filter(device__user=caseworker).exists()
    assert session.get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="auth.two_factor_removed")
    assert event.actor_id == supervisor.id
    assert event.object_id == str(caseworker.id)
    assert event.organisation_id == caseworker.organisation_id
    # Back to a password alone until they set it up again.
    assert sign_in(caseworker.username).status_code == 200


def test_only_a_supervisor_of_the_persons_own_organisation_can_reset(
    caseworker, charity, other_charity, enrolled
):
    colleague = UserFactory(organisation=charity)
    other_supervisor = client_for(SupervisorFactory(organisation=other_charity))

    by_colleague = client_for(colleague).post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")
    by_outsider = other_supervisor.post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")

    assert by_colleague.status_code == 403
    assert by_outsider.status_code == 404
    assert AuthenticatorDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="auth.two_factor_removed").exists()


def test_a_reset_that_cannot_end_the_sessions_leaves_the_second_factor_in_place(
    as_supervisor, caseworker, enrolled, monkeypatch
):
    """Removing the devices and ending the sessions are one step: half of it never happens."""
    from casework.accounts.services import staff

    def broken(**kwargs):
        raise RuntimeError("the session store is unreachable")

    monkeypatch.setattr(staff, "tokens_revoke_all", broken)
    response = as_supervisor.post(f"/api/v1/staff/{caseworker.id}/reset-two-factor/")
    assert response.status_code == 500
    assert AuthenticatorDevice.objects.filter(user=caseworker, confirmed=True).exists()
    assert RecoveryCode.objects.filter(device__user=caseworker).exists()
    assert not AuditEvent.objects.filter(action="auth.two_factor_removed").exists()
