"""Publication waits for a second person: a supervisor who did not write the alert approves
the proposal under approvals/, and only then is it published. Publishing your own draft is
refused, and nothing changes."""

import pytest

from casework.alerts.models import Alert
from casework.approvals.models import Approval

from ...conftest import client_for
from ...factories import SupervisorFactory
from .world import alerts_url, approve, drafted, submit

pytestmark = pytest.mark.django_db


def test_a_second_supervisor_publishes_what_a_caseworker_drafted(as_caseworker, as_reviewer, case):
    alert = drafted(as_caseworker, case)
    response = submit(as_caseworker, case, alert)
    assert response.status_code == 201, response.json()
    proposal = response.json()
    assert proposal["kind"] == "alert_publication"
    assert alert["reference"] in proposal["description"]
    assert as_caseworker.get(alerts_url(case, alert["id"])).json()["status"] == "in_review"

    response = approve(as_reviewer, proposal)
    assert response.status_code == 200, response.json()
    published = as_caseworker.get(alerts_url(case, alert["id"])).json()
    assert published["status"] == "published"
    assert published["published_at"] and published["expires_at"]
    assert published["reviewed_by"] == as_reviewer.principal.username


def test_publishing_your_own_draft_is_refused_and_changes_nothing(supervisor, case, charity):
    author = client_for(supervisor)
    alert = drafted(author, case)
    proposal = submit(author, case, alert).json()
    response = approve(author, proposal)
    assert response.status_code == 403, response.json()
    assert Alert.objects.get(pk=alert["id"]).status == "in_review"
    assert Approval.objects.get(pk=proposal["id"]).status == "pending"


def test_the_author_may_not_approve_what_someone_else_sent_for_review(supervisor, case, charity):
    author = client_for(supervisor)
    alert = drafted(author, case)
    colleague = client_for(SupervisorFactory(organisation=charity))
    proposal = submit(colleague, case, alert).json()
    response = approve(author, proposal)
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "own_draft"
    assert Alert.objects.get(pk=alert["id"]).status == "in_review"
    assert Approval.objects.get(pk=proposal["id"]).status == "pending"


def test_a_caseworker_cannot_approve(as_caseworker, case, isva, charity):
    alert = drafted(as_caseworker, case)
    proposal = submit(as_caseworker, case, alert).json()
    assert approve(client_for(isva), proposal).status_code == 403
    assert Alert.objects.get(pk=alert["id"]).status == "in_review"


def test_a_rejected_alert_can_be_redrafted_and_sent_again(as_caseworker, as_reviewer, case):
    alert = drafted(as_caseworker, case)
    proposal = submit(as_caseworker, case, alert).json()
    assert as_caseworker.post(alerts_url(case, alert["id"], "redraft")).status_code == 409
    response = as_reviewer.post(
        f"/api/v1/approvals/{proposal['id']}/reject/", {"reason": "Too vague."}, format="json"
    )
    assert response.status_code == 200, response.json()
    response = as_caseworker.post(alerts_url(case, alert["id"], "redraft"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "draft"
    assert submit(as_caseworker, case, alert).status_code == 201


def test_an_alert_in_review_cannot_be_sent_twice(as_caseworker, case):
    alert = drafted(as_caseworker, case)
    assert submit(as_caseworker, case, alert).status_code == 201
    assert submit(as_caseworker, case, alert).status_code == 409
    assert Approval.objects.count() == 1
