"""A published alert is updated through a revision: drafted with ``revises``, checked and
reviewed by a second person like any alert; once approved its content replaces the published
alert's, which keeps its reference and shows as updated in the feed."""

import pytest

from casework.alerts.models import Alert

from ...conftest import client_for
from ...factories import SupervisorFactory
from ..police_sharing.world import PSEUDONYM
from .world import FEED, alerts_url, approve, check, draft, drafted, published, submit

pytestmark = pytest.mark.django_db

CORRECTED = "Booked an outcall, refused to pay and threatened her with a knife."


def test_an_approved_revision_updates_the_published_alert(
    as_caseworker, as_reviewer, as_feed_key, as_checker_key, case
):
    alert = published(as_caseworker, as_reviewer, case)
    revision = drafted(
        as_caseworker,
        case,
        revises=alert["id"],
        what_happened=CORRECTED,
        identifiers=[{"kind": "phone", "value": "07700 900 777"}],
    )
    assert revision["revises"] == alert["id"]
    proposal = submit(as_caseworker, case, revision).json()
    assert alert["reference"] in proposal["description"]
    # Until it is approved, subscribers see the alert as it was published.
    [row] = as_feed_key.get(FEED).json()["results"]
    assert row["status"] == "published" and row["what_happened"] != CORRECTED

    assert approve(as_reviewer, proposal).status_code == 200
    [row] = as_feed_key.get(FEED).json()["results"]
    assert (row["reference"], row["status"]) == (alert["reference"], "updated")
    assert row["what_happened"] == CORRECTED
    assert Alert.objects.get(pk=revision["id"]).status == "applied"
    assert check(as_checker_key, "07700900777").json()["alerts"] == [alert["reference"]]
    assert check(as_checker_key, "07700900123").json()["matches"] is False


def test_a_revision_is_checked_for_the_reporter_like_any_draft(as_caseworker, as_reviewer, case):
    alert = published(as_caseworker, as_reviewer, case)
    response = draft(
        as_caseworker, case, revises=alert["id"], what_happened=f"{PSEUDONYM} was robbed."
    )
    assert response.status_code == 400
    assert "what_happened" in response.json()["fields"]


def test_only_a_published_alert_of_the_case_can_be_revised(as_caseworker, case):
    unpublished = drafted(as_caseworker, case)
    response = draft(as_caseworker, case, revises=unpublished["id"])
    assert response.status_code == 400 and "revises" in response.json()["fields"]
    response = draft(as_caseworker, case, revises="00000000-0000-0000-0000-000000000000")
    assert response.status_code == 400 and "revises" in response.json()["fields"]


def test_the_alerts_author_may_not_approve_a_revision_of_it(supervisor, as_caseworker, case):
    author = client_for(supervisor)
    reviewer = client_for(SupervisorFactory(organisation=supervisor.organisation))
    alert = published(author, reviewer, case)
    revision = drafted(as_caseworker, case, revises=alert["id"], what_happened=CORRECTED)
    proposal = submit(as_caseworker, case, revision).json()
    response = approve(author, proposal)
    assert response.status_code == 403
    assert Alert.objects.get(pk=alert["id"]).status == "published"


def test_a_revision_of_a_retracted_alert_is_not_applied(as_caseworker, as_reviewer, case):
    alert = published(as_caseworker, as_reviewer, case)
    revision = drafted(as_caseworker, case, revises=alert["id"], what_happened=CORRECTED)
    proposal = submit(as_caseworker, case, revision).json()
    as_caseworker.post(alerts_url(case, alert["id"], "retract"))
    assert approve(as_reviewer, proposal).status_code == 409
    stored = Alert.objects.get(pk=alert["id"])
    assert stored.status == "retracted" and stored.what_happened != CORRECTED
