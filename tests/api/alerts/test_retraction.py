"""Withdrawing warn_others retracts the case's alerts in the withdrawal's own transaction
(drafts and alerts in review too, so none is published afterwards); published alerts expire
after their lifetime; a retraction is audited and shown to subscribers as such."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from casework.alerts.models import Alert
from casework.alerts.services import expire_alerts
from casework.audit.models import AuditEvent
from casework.sharing.services import consent_record

from ..police_sharing.world import consent
from .world import FEED, approve, drafted, published, submit

pytestmark = pytest.mark.django_db


def test_withdrawing_warn_others_retracts_every_alert_of_the_case(
    as_caseworker, as_reviewer, as_feed_key, case
):
    live = published(as_caseworker, as_reviewer, case)
    waiting = drafted(as_caseworker, case)
    proposal = submit(as_caseworker, case, waiting).json()
    draft = drafted(as_caseworker, case)

    consent(as_caseworker, case, "warn_others", granted=False)

    states = dict(Alert.objects.values_list("reference", "status"))
    assert states == {
        live["reference"]: "retracted",
        waiting["reference"]: "retracted",
        draft["reference"]: "retracted",
    }
    assert Alert.objects.filter(retraction_reason="consent_withdrawn").count() == 3
    [row] = as_feed_key.get(FEED).json()["results"]
    assert row["status"] == "retracted" and row["what_happened"] is None
    # What was waiting for review can no longer be published.
    assert approve(as_reviewer, proposal).status_code == 409
    assert Alert.objects.get(reference=waiting["reference"]).status == "retracted"
    assert AuditEvent.objects.filter(action="alert.retract").count() == 3


def test_refusing_store_records_takes_warn_others_and_the_alerts_with_it(
    as_caseworker, as_reviewer, case
):
    live = published(as_caseworker, as_reviewer, case)
    consent(as_caseworker, case, "store_records", granted=False)
    assert Alert.objects.get(reference=live["reference"]).status == "retracted"


def test_the_retraction_commits_with_the_withdrawal_or_not_at_all(
    as_caseworker, as_reviewer, case, caseworker
):
    live = published(as_caseworker, as_reviewer, case)
    with pytest.raises(RuntimeError), transaction.atomic():
        consent_record(
            case=case, recorded_by=caseworker, scope="warn_others", granted=False, method="verbal"
        )
        assert Alert.objects.get(reference=live["reference"]).status == "retracted"
        raise RuntimeError("the withdrawal failed")
    assert Alert.objects.get(reference=live["reference"]).status == "published"


def test_a_new_grant_after_a_withdrawal_brings_no_alert_back(as_caseworker, as_reviewer, case):
    live = published(as_caseworker, as_reviewer, case)
    consent(as_caseworker, case, "warn_others", granted=False)
    consent(as_caseworker, case, "warn_others")
    assert Alert.objects.get(reference=live["reference"]).status == "retracted"


def test_a_published_alert_expires_after_its_lifetime_and_only_then(
    as_caseworker, as_reviewer, case, settings
):
    settings.ALERT_LIFETIME_DAYS = 30
    live = published(as_caseworker, as_reviewer, case)
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert expire_alerts() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert expire_alerts() == 1
        assert expire_alerts() == 0  # a second run changes nothing
    alert = Alert.objects.get(reference=live["reference"])
    assert alert.status == "expired" and alert.closed_at
    assert AuditEvent.objects.filter(action="alert.expire").count() == 1


def test_the_expiry_runs_on_the_beat_schedule(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "alerts" in e["task"]]
    assert [e["task"] for e in entries] == ["casework.alerts.tasks.expire_alerts"]
