"""The one mechanism for two-person actions: a proposal waits for a different supervisor of the
same charity, who approves exactly what it describes (once, however many approve at once),
rejects it with a reason, or lets it expire; its proposer may withdraw it. Every step is
audited, and a step refused changes nothing."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from casework.approvals import tasks
from casework.approvals.models import Approval
from casework.audit.models import AuditEvent
from casework.reminders.models import Reminder
from casework.sharing.models import ConsentDecision, SharedCase

from ...conftest import client_for
from ...factories import SupervisorFactory
from ..police_sharing.world import listed, open_case
from .world import APPROVALS, approval_url, approve, proposed, reject, withdraw

pytestmark = pytest.mark.django_db


def status_of(proposal: dict) -> str:
    return Approval.objects.get(pk=proposal["id"]).status


def nothing_shared(case) -> bool:
    return not SharedCase.objects.filter(case=case).exists() and not (
        ConsentDecision.objects.filter(case=case, kind="override").exists()
    )


def test_supervisors_list_what_waits_and_staff_see_their_own(
    as_caseworker, as_isva, as_supervisor, caseworker, case, police_force, other_force
):
    mine = proposed(as_caseworker, case, police_force)
    theirs = proposed(as_supervisor, case, other_force)

    waiting = as_supervisor.get(APPROVALS, {"status": "pending"}).json()["results"]
    assert [p["id"] for p in waiting] == [theirs["id"], mine["id"]]
    assert [p["id"] for p in as_caseworker.get(APPROVALS).json()["results"]] == [mine["id"]]
    assert as_isva.get(APPROVALS).json()["results"] == []
    assert as_caseworker.get(approval_url(theirs)).status_code == 404
    shown = as_supervisor.get(approval_url(mine)).json()
    assert shown["proposed_by"] == caseworker.username
    assert shown["reason"] == mine["reason"]
    assert AuditEvent.objects.filter(action="approval.read", object_id=mine["id"]).exists()


def test_a_caseworker_may_not_approve_or_reject(as_caseworker, case, police_force):
    proposal = proposed(as_caseworker, case, police_force)
    assert approve(as_caseworker, proposal).status_code == 403
    assert reject(as_caseworker, proposal, reason="No.").status_code == 403
    assert status_of(proposal) == "pending" and nothing_shared(case)


def test_approving_twice_does_it_once(as_caseworker, as_supervisor, as_second, case, police_force):
    proposal = proposed(as_caseworker, case, police_force)
    assert approve(as_supervisor, proposal).status_code == 200

    again = approve(as_second, proposal)

    assert again.status_code == 409 and again.json()["code"] == "not_pending"
    assert ConsentDecision.objects.filter(case=case, kind="override").count() == 1
    assert AuditEvent.objects.filter(action="approval.approve").count() == 1


def test_approving_after_expiry_is_refused_and_the_beat_task_marks_it_expired(
    as_caseworker, supervisor, as_police, case, police_force
):
    proposal = proposed(as_caseworker, case, police_force)
    expires = Approval.objects.get(pk=proposal["id"]).expires_at
    assert expires - timezone.now() > timedelta(hours=71, minutes=59)

    with time_machine.travel(expires + timedelta(minutes=1)):
        late = approve(client_for(supervisor), proposal)
        assert late.status_code == 409 and late.json()["code"] == "expired"
        assert status_of(proposal) == "pending" and nothing_shared(case)

        assert tasks.expire_approvals() == 1

        assert status_of(proposal) == "expired"
        assert tasks.expire_approvals() == 0
        again = approve(client_for(supervisor), proposal)
        assert again.status_code == 409 and again.json()["code"] == "not_pending"
    assert listed(as_police) == []
    assert AuditEvent.objects.filter(action="approval.expire", object_id=proposal["id"]).exists()
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "casework.approvals.tasks.expire_approvals" in schedule


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_rejecting_without_a_reason_is_refused(
    as_caseworker, as_supervisor, case, police_force, body
):
    proposal = proposed(as_caseworker, case, police_force)
    response = as_supervisor.post(approval_url(proposal, "reject"), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert status_of(proposal) == "pending"
    assert not AuditEvent.objects.filter(action="approval.reject").exists()


def test_a_rejected_proposal_does_nothing_and_cannot_be_approved(
    as_caseworker, as_supervisor, as_second, as_police, case, police_force
):
    proposal = proposed(as_caseworker, case, police_force)
    response = reject(as_supervisor, proposal, reason="Not enough to override her wishes.")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Not enough to override her wishes."
    assert approve(as_second, proposal).status_code == 409
    assert nothing_shared(case) and listed(as_police) == []


def test_only_the_proposer_withdraws(as_caseworker, as_supervisor, case, police_force):
    proposal = proposed(as_caseworker, case, police_force)
    other = withdraw(as_supervisor, proposal)
    assert other.status_code == 403 and other.json()["code"] == "not_proposer"
    assert status_of(proposal) == "pending"

    response = withdraw(as_caseworker, proposal)

    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert approve(as_supervisor, proposal).status_code == 409
    assert withdraw(as_caseworker, proposal).status_code == 409
    assert nothing_shared(case)
    steps = AuditEvent.objects.filter(
        object_id=proposal["id"], action__startswith="approval."
    ).exclude(action="approval.read")
    assert list(steps.order_by("sequence").values_list("action", flat=True)) == [
        "approval.propose",
        "approval.withdraw",
    ]


def test_another_charitys_proposal_is_not_found(
    as_caseworker, as_other_supervisor, case, police_force
):
    proposal = proposed(as_caseworker, case, police_force)
    assert as_other_supervisor.get(approval_url(proposal)).status_code == 404
    assert approve(as_other_supervisor, proposal).status_code == 404
    assert reject(as_other_supervisor, proposal, reason="No.").status_code == 404
    assert withdraw(as_other_supervisor, proposal).status_code == 404
    assert as_other_supervisor.get(APPROVALS).json()["results"] == []
    assert status_of(proposal) == "pending" and nothing_shared(case)


def test_a_caseworker_taken_off_the_case_no_longer_sees_their_proposal(
    as_caseworker, caseworker, as_supervisor, case, police_force
):
    proposal = proposed(as_caseworker, case, police_force)
    response = as_supervisor.post(
        f"/api/v1/cases/{case.id}/unassign/", {"user": str(caseworker.id)}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert as_caseworker.get(approval_url(proposal)).status_code == 404
    assert withdraw(as_caseworker, proposal).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_approving_at_once_do_it_exactly_once(caseworker, police_force):
    supervisors = [SupervisorFactory(organisation=caseworker.organisation) for _ in range(2)]
    apis = [client_for(person) for person in supervisors]
    for _ in range(3):
        case = open_case(caseworker)
        proposal = proposed(client_for(caseworker), case, police_force)
        barrier = threading.Barrier(len(apis))
        results: list = [None] * len(apis)

        def run(index, api, barrier=barrier, results=results, proposal=proposal):
            try:
                barrier.wait(timeout=10)
                response = approve(api, proposal)
                results[index] = (response.status_code, response.json().get("code"))
            except Exception as error:  # reported below, in the main thread
                results[index] = ("error", repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i, api)) for i, api in enumerate(apis)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)

        assert sorted(results, key=str) == [(200, None), (409, "not_pending")], results
        assert status_of(proposal) == "approved"
        assert ConsentDecision.objects.filter(case=case, kind="override").count() == 1
        assert SharedCase.objects.filter(case=case, police_force=police_force).count() == 1
        assert Reminder.objects.filter(case=case, kind="tell_client_of_override").count() == 1
        approvals = AuditEvent.objects.filter(action="approval.approve", object_id=proposal["id"])
        assert approvals.count() == 1
