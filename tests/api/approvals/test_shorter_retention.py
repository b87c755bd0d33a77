"""A shorter retention period anonymises records sooner, for good: it is a proposal that waits
for a second supervisor. Lengthening one stays an ordinary settings change."""

import pytest

from casework.approvals.models import Approval
from casework.audit.models import AuditEvent

from ...editing import edit
from .world import approve

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/organisation-settings/"
PROPOSALS = f"{SETTINGS}retention-proposals/"
REASON = "The trustees agreed to keep closed cases for three years, as our funder requires."


def settings_of(api) -> dict:
    return api.get(SETTINGS).json()


def test_shorter_retention_waits_for_a_second_supervisor(as_supervisor, as_second, supervisor):
    assert settings_of(as_supervisor)["retention_years"] == 6
    refused = edit(as_supervisor, SETTINGS, {"retention_years": 3})
    assert refused.status_code == 409 and refused.json()["code"] == "needs_approval"
    assert settings_of(as_supervisor)["retention_years"] == 6

    response = as_supervisor.post(
        PROPOSALS, {"retention_years": 3, "reason": REASON}, format="json"
    )

    assert response.status_code == 201, response.json()
    proposal = response.json()
    assert proposal["kind"] == "retention_shortened" and proposal["status"] == "pending"
    assert "after 3 years instead of 6" in proposal["description"]
    assert proposal["payload"] == {"retention_years": {"from": 6, "to": 3}}
    assert settings_of(as_supervisor)["retention_years"] == 6

    own = approve(as_supervisor, proposal)
    assert own.status_code == 403 and own.json()["code"] == "own_proposal"
    assert settings_of(as_supervisor)["retention_years"] == 6

    approved = approve(as_second, proposal)

    assert approved.status_code == 200, approved.json()
    assert approved.json()["result"] == {"retention_years": 3}
    assert settings_of(as_supervisor)["retention_years"] == 3
    event = AuditEvent.objects.filter(action="organisation.settings").latest("sequence")
    assert event.detail == {"approval": proposal["id"]}
    assert event.changed_fields == ["retention_years"]


def test_lengthening_retention_needs_no_approval(as_supervisor):
    response = edit(as_supervisor, SETTINGS, {"retention_years": 8})
    assert response.status_code == 200, response.json()
    assert response.json()["retention_years"] == 8
    assert not Approval.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"retention_years": 6}, "retention_years"),
        ({"retention_years": 9}, "retention_years"),
        ({"unconverted_retention_months": 0}, "unconverted_retention_months"),
        ({"retention_years": 3, "reason": ""}, "reason"),
        ({}, "retention_years"),
    ],
)
def test_a_proposal_that_shortens_nothing_is_refused(as_supervisor, body, field):
    response = as_supervisor.post(PROPOSALS, {"reason": REASON, **body}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Approval.objects.exists()


def test_a_proposal_overtaken_by_another_change_is_refused(as_supervisor, as_second):
    proposal = as_supervisor.post(
        PROPOSALS, {"unconverted_retention_months": 6, "reason": REASON}, format="json"
    ).json()
    assert edit(as_supervisor, SETTINGS, {"unconverted_retention_months": 18}).status_code == 200

    response = approve(as_second, proposal)

    assert response.status_code == 409 and response.json()["code"] == "settings_changed"
    assert settings_of(as_supervisor)["unconverted_retention_months"] == 18
    assert Approval.objects.get(pk=proposal["id"]).status == "pending"


def test_only_supervisors_propose_shorter_retention(as_caseworker):
    response = as_caseworker.post(
        PROPOSALS, {"retention_years": 3, "reason": REASON}, format="json"
    )
    assert response.status_code == 403
    assert not Approval.objects.exists()
