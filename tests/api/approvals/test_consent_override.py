"""A consent override: proposed with a ground and a reason, done only when a second supervisor
approves it, seen by both sides as an override on that ground, and ended at its expiry (the
force's access gone on the next request), by a supervisor, or by the client's consent."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from casework.approvals.models import Approval
from casework.audit.models import AuditEvent
from casework.reminders.models import Reminder
from casework.sharing import tasks
from casework.sharing.models import ConsentDecision, SharedCase

from ...conftest import client_for
from ..police_sharing.world import SHARED, consent, listed
from .world import REASON, approval_url, approve, overrides_url, propose_override, proposed

pytestmark = pytest.mark.django_db


def ledger(api, case) -> dict:
    response = api.get(f"/api/v1/cases/{case.id}/consents/")
    assert response.status_code == 200, response.json()
    return response.json()


def end_url(case) -> str:
    return f"/api/v1/cases/{case.id}/consent-overrides/end/"


def test_an_override_waits_for_a_second_supervisor_is_seen_as_an_override_and_ends_at_expiry(
    as_supervisor,
    as_second,
    second_supervisor,
    as_caseworker,
    caseworker,
    as_police,
    police_liaison,
    case,
    police_force,
):
    proposal = proposed(as_supervisor, case, police_force, days=5)

    assert proposal["kind"] == "consent_override" and proposal["status"] == "pending"
    assert police_force.name in proposal["description"]
    assert "Risk to life or of serious harm" in proposal["description"]
    assert "for 5 days" in proposal["description"]
    assert proposal["payload"] == {
        "police_force": str(police_force.id),
        "ground": "risk_to_life",
        "days": 5,
        "tell_client": True,
    }
    assert listed(as_police) == []
    assert ledger(as_caseworker, case)["overrides"] == []

    # The proposer cannot approve their own proposal: nothing is shared.
    own = approve(as_supervisor, proposal)
    assert own.status_code == 403 and own.json()["code"] == "own_proposal"
    assert Approval.objects.get(pk=proposal["id"]).status == "pending"
    assert not ConsentDecision.objects.filter(case=case, kind="override").exists()
    assert listed(as_police) == []

    # A second supervisor approves: the force sees the case, as an override on its ground.
    approved = approve(as_second, proposal)
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == second_supervisor.username
    [row] = listed(as_police)
    assert row["level"] == "identified"
    assert (row["shared_under"], row["override_ground"]) == ("override", "risk_to_life")
    expires = timezone.now() + timedelta(days=5)
    assert abs(datetime.fromisoformat(row["override_until"]) - expires) < timedelta(minutes=1)
    detail = as_police.get(f"{SHARED}{row['id']}/")
    assert detail.status_code == 200
    assert detail.json()["shared_under"] == "override"
    assert detail.json()["override_ground"] == "risk_to_life"
    assert detail.json()["identity"]["pseudonym"]

    # The charity sees the override in the ledger, on its ground, with its approval.
    seen = ledger(as_caseworker, case)
    [override] = seen["overrides"]
    assert (override["state"], override["ground"]) == ("in_force", "risk_to_life")
    assert override["police_force"]["id"] == str(police_force.id)
    assert override["approval"] == proposal["id"]
    assert seen["history"][0]["kind"] == "override"
    assert seen["history"][0]["override_ground"] == "risk_to_life"

    # The client is to be told: a task for the case's caseworker.
    reminder = Reminder.objects.get(case=case, kind="tell_client_of_override")
    assert reminder.assignee == caseworker
    kinds = {r["kind"] for r in as_caseworker.get("/api/v1/reminders/").json()["results"]}
    assert "tell_client_of_override" in kinds

    share = SharedCase.objects.get(case=case, police_force=police_force)
    actions = set(AuditEvent.objects.filter(case_id=case.id).values_list("action", flat=True))
    assert {"approval.propose", "approval.approve", "consent.override.start", "share.start"} <= (
        actions
    )

    # At its expiry the force's access is gone on the next request, before any sweep ...
    with time_machine.travel(expires + timedelta(minutes=5)):
        police = client_for(police_liaison)
        assert police.get(f"{SHARED}{share.id}/").status_code == 404
        assert listed(police) == []
        share.refresh_from_db()
        assert share.status == "active"
        # ... and the beat task ends the share.
        assert tasks.expire_lapsed_consents() == 1
        share.refresh_from_db()
        assert share.status == "ended"
        [ended] = police.get(f"{SHARED}ended/").json()["results"]
        assert ended["share_reference"] == share.share_reference
        [override] = ledger(client_for(caseworker), case)["overrides"]
        assert override["state"] == "expired"
        assert tasks.expire_lapsed_consents() == 0
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "casework.sharing.tasks.expire_lapsed_consents" in schedule


def _approved(as_supervisor, as_second, case, force, **extra) -> dict:
    proposal = proposed(as_supervisor, case, force, **extra)
    response = approve(as_second, proposal)
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_clients_consent_turns_the_override_into_an_ordinary_share(
    as_supervisor, as_second, as_caseworker, as_police, case, police_force
):
    _approved(as_supervisor, as_second, case, police_force)
    [before] = listed(as_police)

    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)

    [after] = listed(as_police)
    assert after["id"] == before["id"]  # the same share carries on
    assert (after["shared_under"], after["override_ground"]) == ("consent", None)
    assert after["override_until"] is None
    [override] = ledger(as_caseworker, case)["overrides"]
    assert override["state"] == "ended" and override["ended_by"]
    end = AuditEvent.objects.get(action="consent.override.end")
    assert end.detail["because"] == "client_consented"


def test_a_refusal_by_the_client_leaves_the_override_standing(
    as_supervisor, as_second, as_caseworker, as_police, case, police_force
):
    _approved(as_supervisor, as_second, case, police_force)

    consent(as_caseworker, case, "share_with_police", granted=False, force=police_force)

    [row] = listed(as_police)
    assert row["shared_under"] == "override"
    assert ledger(as_caseworker, case)["overrides"][0]["state"] == "in_force"


def test_a_supervisor_ends_an_override_and_the_force_loses_access_at_once(
    as_supervisor, as_second, as_caseworker, as_police, case, police_force
):
    _approved(as_supervisor, as_second, case, police_force)
    [row] = listed(as_police)

    refused = as_caseworker.post(
        end_url(case), {"police_force": str(police_force.id), "reason": "Safe now."}, format="json"
    )
    assert refused.status_code == 403
    assert len(listed(as_police)) == 1

    response = as_supervisor.post(
        end_url(case),
        {"police_force": str(police_force.id), "reason": "He was arrested this morning."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    [override] = response.json()["overrides"]
    assert override["state"] == "ended"
    assert as_police.get(f"{SHARED}{row['id']}/").status_code == 404
    assert listed(as_police) == []
    again = as_supervisor.post(
        end_url(case), {"police_force": str(police_force.id), "reason": "Again."}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "no_override"


def test_a_client_not_told_has_the_reason_recorded_and_no_task(
    as_supervisor, as_second, case, police_force
):
    approved = _approved(
        as_supervisor,
        as_second,
        case,
        police_force,
        tell_client=False,
        client_not_told_reason="He reads her phone: telling her would tell him.",
    )

    assert approved["client_not_told_reason"] == "He reads her phone: telling her would tell him."
    assert "not told" in approved["description"]
    assert not Reminder.objects.filter(case=case, kind="tell_client_of_override").exists()
    event = AuditEvent.objects.get(action="consent.override.client_not_told")
    assert event.detail == {"approval": approved["id"]}
    assert "phone" not in str(event.detail)


def test_rebuild_sharing_understands_an_override(
    as_supervisor, as_second, as_police, case, police_force
):
    from io import StringIO

    from django.core.management import call_command

    from casework.sharing.models import SharedCaseGroupObjectPermission

    _approved(as_supervisor, as_second, case, police_force)
    share = SharedCase.objects.get(case=case, police_force=police_force)
    SharedCaseGroupObjectPermission.objects.filter(content_object=share).delete()
    assert listed(as_police) == []

    out = StringIO()
    call_command("rebuild_sharing", stdout=out)

    assert "repaired 1" in out.getvalue()
    [row] = listed(as_police)
    assert row["id"] == str(share.id) and row["shared_under"] == "override"
    out = StringIO()
    call_command("rebuild_sharing", stdout=out)
    assert "repaired 0" in out.getvalue()


# Bad input: each refused with a clear 4xx, and nothing kept.


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ground": None}, "ground"),
        ({"ground": "the_caseworker_thinks_so"}, "ground"),
        ({"days": 31}, "days"),
        ({"days": 0}, "days"),
        ({"reason": ""}, "reason"),
        ({"tell_client": False}, "client_not_told_reason"),
        ({"client_not_told_reason": "Told already."}, "client_not_told_reason"),
    ],
)
def test_a_proposal_that_breaks_a_rule_is_refused(as_caseworker, case, police_force, change, field):
    body = {"police_force": str(police_force.id), "ground": "risk_to_life", "reason": REASON}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}  # None: left out
    response = as_caseworker.post(overrides_url(case), body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Approval.objects.exists()


def test_a_proposal_naming_a_charity_as_the_force_is_refused(as_caseworker, case, other_charity):
    response = propose_override(as_caseworker, case, other_charity)
    assert response.status_code == 400
    assert "police_force" in response.json()["fields"]
    assert not Approval.objects.exists()


def test_no_field_of_a_consent_decision_makes_it_an_override(
    as_caseworker, as_police, case, police_force
):
    consent(as_caseworker, case, "store_records")
    for extra in (
        {"kind": "override"},
        {"override_ground": "risk_to_life"},
        {"approval": "00000000-0000-0000-0000-000000000000"},
    ):
        response = as_caseworker.post(
            f"/api/v1/cases/{case.id}/consents/",
            {
                "scope": "share_with_police",
                "granted": True,
                "method": "verbal",
                "police_force": str(police_force.id),
                **extra,
            },
            format="json",
        )
        assert response.status_code == 400, response.json()
        assert set(extra) <= set(response.json()["fields"])
    assert not ConsentDecision.objects.filter(case=case, scope="share_with_police").exists()
    assert listed(as_police) == []


def test_no_override_is_proposed_where_the_client_consents_or_one_waits(
    as_caseworker, case, police_force, other_force
):
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)
    consents = propose_override(as_caseworker, case, police_force)
    assert consents.status_code == 409 and consents.json()["code"] == "client_consents"

    proposed(as_caseworker, case, other_force)
    twice = propose_override(as_caseworker, case, other_force)
    assert twice.status_code == 409 and twice.json()["code"] == "already_proposed"
    assert Approval.objects.count() == 1


def test_approving_after_the_client_consented_meanwhile_is_refused(
    as_caseworker, as_supervisor, as_second, case, police_force
):
    proposal = proposed(as_supervisor, case, police_force)
    consent(as_caseworker, case, "store_records")
    consent(as_caseworker, case, "share_with_police", force=police_force)

    response = approve(as_second, proposal)

    assert response.status_code == 409 and response.json()["code"] == "client_consents"
    assert as_second.get(approval_url(proposal)).json()["status"] == "pending"
    assert not ConsentDecision.objects.filter(kind="override").exists()


def test_the_database_refuses_an_override_without_its_approval(case, caseworker, police_force):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentDecision.objects.create(
            case=case,
            scope="share_with_police",
            granted=True,
            police_force=police_force,
            kind="override",
            recorded_by=caseworker,
            recorded_at=timezone.now(),
            override_ground="risk_to_life",
            override_expires_at=timezone.now() + timedelta(days=7),
        )
    assert not ConsentDecision.objects.filter(case=case).exists()
