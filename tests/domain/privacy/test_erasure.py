"""Erasure through the API: a supervisor erases a client on request, which a court case still
open refuses; forcing it then is a proposal with a recorded reason, done only when a second
supervisor approves it."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.cases.services.cases import case_transition
from casework.privacy.models import ErasureRecord
from casework.sharing.models import SharedCase

from ...conftest import client_for
from ...factories import CourtEventFactory, SupervisorFactory
from .world import (
    Bundle,
    assert_audit_clean,
    assert_case_anonymised,
    assert_client_anonymised,
    fingerprint,
)

pytestmark = pytest.mark.django_db


REASON = "Client asked by letter for everything to be erased (Article 17)."


def erase(api, bundle: Bundle, **body):
    return api.post(f"/api/v1/clients/{bundle.client.pk}/erase/", body, format="json")


def charged(bundle: Bundle, staff) -> None:
    case_transition(
        case=bundle.case,
        actor=staff,
        lifecycle="justice",
        to="charged",
        reason="CPS authorised a charge.",
        decision={"decided_on": timezone.localdate()},
    )


def hearing_ahead(bundle: Bundle, staff) -> None:
    CourtEventFactory(
        case=bundle.case,
        actor=staff,
        hearing_type="trial",
        court="Leeds Crown Court",
        starts_at=timezone.now() + timedelta(days=30),
    )


@pytest.mark.parametrize("court_process", [charged, hearing_ahead], ids=["charged", "hearing"])
def test_erasure_is_refused_while_a_court_case_is_open(
    as_supervisor, as_police, caseworker, bundle, court_process
):
    court_process(bundle, caseworker)
    before = fingerprint()

    response = erase(as_supervisor, bundle, reason=REASON)

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "court_case_open"
    assert fingerprint() == before
    assert not ErasureRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="client.erase").exists()
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 200


def approve(api, approval_id):
    return api.post(f"/api/v1/approvals/{approval_id}/approve/", format="json")


def test_forced_erasure_waits_for_a_second_supervisor_then_anonymises_everything(
    as_supervisor, as_police, supervisor, caseworker, bundle
):
    charged(bundle, caseworker)
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 200
    before = fingerprint()

    response = erase(as_supervisor, bundle, reason=REASON, force=True)

    # A proposal: nothing is erased yet, police still see the share.
    assert response.status_code == 202, response.json()
    proposal = response.json()
    assert proposal["kind"] == "forced_erasure" and proposal["status"] == "pending"
    assert proposal["case"] == str(bundle.case.pk)
    assert bundle.case.reference in proposal["description"]
    assert "court case is open" in proposal["description"]
    assert fingerprint() == before
    assert not ErasureRecord.objects.exists()
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 200

    # The proposer may not approve it; nothing changes.
    own = approve(as_supervisor, proposal["id"])
    assert own.status_code == 403 and own.json()["code"] == "own_proposal"
    assert fingerprint() == before

    second = SupervisorFactory(organisation=supervisor.organisation)
    approved = approve(client_for(second), proposal["id"])

    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == second.username
    assert_client_anonymised(bundle)
    assert_case_anonymised(bundle, stage="charged")
    case = Case.objects.get(pk=bundle.case.pk)
    assert case.support_status == "closed" and case.closure_reason == "other"
    assert SharedCase.objects.get(pk=bundle.share.pk).status == "ended"
    assert as_police.get(f"/api/v1/shared-cases/{bundle.share.pk}/").status_code == 404

    record = ErasureRecord.objects.get(client=bundle.client)
    assert record.forced is True
    assert record.requested_by_id == supervisor.id
    assert str(record.approval_id) == proposal["id"]
    assert record.reason == REASON
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM privacy_erasurerecord WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and "Article 17" not in stored

    event = AuditEvent.objects.get(action="client.erase")
    assert event.actor_id == second.id
    assert event.object_id == str(bundle.client.pk)
    assert event.detail == {"forced": True, "approval": proposal["id"]}
    steps = AuditEvent.objects.filter(
        object_id=proposal["id"], action__startswith="approval."
    ).order_by("sequence")
    assert [e.action for e in steps] == ["approval.propose", "approval.approve"]
    assert_audit_clean(bundle)
    assert "Article 17" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_a_rejected_forced_erasure_erases_nothing(as_supervisor, supervisor, caseworker, bundle):
    hearing_ahead(bundle, caseworker)
    proposal = erase(as_supervisor, bundle, reason=REASON, force=True).json()
    before = fingerprint()
    second = client_for(SupervisorFactory(organisation=supervisor.organisation))

    response = second.post(
        f"/api/v1/approvals/{proposal['id']}/reject/",
        {"reason": "The trial is next month: wait for the verdict."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert fingerprint() == before
    assert not ErasureRecord.objects.exists()
    assert approve(second, proposal["id"]).status_code == 409


def test_a_second_forced_erasure_proposal_for_the_client_is_refused(
    as_supervisor, caseworker, bundle
):
    charged(bundle, caseworker)
    assert erase(as_supervisor, bundle, reason=REASON, force=True).status_code == 202

    again = erase(as_supervisor, bundle, reason=REASON, force=True)

    assert again.status_code == 409
    assert again.json()["code"] == "already_proposed"


def test_erasure_without_a_court_case_needs_no_force(as_supervisor, bundle):
    response = erase(as_supervisor, bundle, reason=REASON)

    assert response.status_code == 200, response.json()
    assert_client_anonymised(bundle)
    assert_case_anonymised(bundle)
    assert ErasureRecord.objects.get(client=bundle.client).forced is False
    assert AuditEvent.objects.get(action="client.erase").detail == {"forced": False}


def test_erasing_twice_is_refused(as_supervisor, bundle):
    assert erase(as_supervisor, bundle, reason=REASON).status_code == 200

    again = erase(as_supervisor, bundle, reason=REASON, force=True)

    assert again.status_code == 409
    assert again.json()["code"] == "already_erased"
    assert ErasureRecord.objects.filter(client=bundle.client).count() == 1
    assert AuditEvent.objects.filter(action="client.erase").count() == 1


@pytest.mark.parametrize("body", [{}, {"force": True}, {"reason": ""}, {"reason": "   "}])
def test_erasure_without_a_reason_is_refused(as_supervisor, bundle, body):
    before = fingerprint()

    response = erase(as_supervisor, bundle, **body)

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert fingerprint() == before
    assert not ErasureRecord.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "isva", "police_liaison"])
def test_only_a_supervisor_may_erase(who, request, bundle):
    api = client_for(request.getfixturevalue(who))
    before = fingerprint()
    response = erase(api, bundle, reason=REASON, force=True)
    assert response.status_code == 403
    assert fingerprint() == before
