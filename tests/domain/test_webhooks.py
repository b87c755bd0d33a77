"""Webhook events are written with the change they tell of; what a delivery carries is built
when it is sent, from the receiver's own view; one attempt's outcome decides what comes next.

Attempts here go to a receiver in a thread of the test (tests/tasks/test_webhook_worker.py
sends them from a real worker)."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.disclosures.models import Disclosure
from casework.reminders.models import Reminder
from casework.sharing.services import consent_record, police_update_post
from casework.webhooks.choices import DeliveryStatus
from casework.webhooks.delivery import attempt, build_payload
from casework.webhooks.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from casework.webhooks.services import subscription_create

from ..conftest import client_for, client_for_key
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    CourtEventFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    make_api_key,
)
from ..support.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db

POLICE_EVENTS = [
    "share.started",
    "share.ended",
    "shared_update.posted",
    "shared_court_event.changed",
]
CHARITY_EVENTS = [
    "referral.received",
    "case.assigned",
    "consent.recorded",
    "police_update.posted",
    "court_event.changed",
]


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def subscribe(organisation, url="http://127.0.0.1:9/hooks", events=POLICE_EVENTS):
    by = (
        PoliceLiaisonFactory(organisation=organisation)
        if organisation.is_police
        else (SupervisorFactory(organisation=organisation))
    )
    subscription, secret = subscription_create(
        organisation=organisation, by=by, url=url, events=events
    )
    return subscription, secret


def deliveries(event_type):
    return WebhookDelivery.objects.filter(event__type=event_type).select_related(
        "event", "subscription__organisation"
    )


def as_json(data):
    return json.loads(json.dumps(data))


# --- events, in the change's transaction ---------------------------------------------------


def test_a_share_that_starts_writes_its_event_and_a_delivery_in_the_same_transaction(
    caseworker, police_force
):
    subscribe(police_force)
    case = CaseFactory(opened_by=caseworker)
    with pytest.raises(RuntimeError), transaction.atomic():
        SharedCaseFactory(case=case, police_force=police_force)
        assert deliveries("share.started").count() == 1
        raise RuntimeError("the change rolls back")
    assert not WebhookEvent.objects.exists()
    share = SharedCaseFactory(case=case, police_force=police_force)
    (delivery,) = deliveries("share.started")
    assert delivery.event.subject == {"shared_case": str(share.pk)}
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.event.organisation == police_force


def test_nothing_is_written_for_an_organisation_nobody_listens_for(caseworker, police_force):
    SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    assert not WebhookEvent.objects.exists()
    subscribe(police_force, events=["share.ended"])
    SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    assert not WebhookEvent.objects.exists()


def test_a_charity_hears_of_its_own_changes_by_id_only(caseworker, charity, police_force):
    subscribe(charity, events=CHARITY_EVENTS)
    share = SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    case = share.case
    liaison = PoliceLiaisonFactory(organisation=police_force)
    update = police_update_post(
        shared_case=share, author=liaison, kind="investigation", body="Suspect arrested in Leeds."
    )
    hearing = CourtEventFactory(case=case)
    assert {d.event.type for d in WebhookDelivery.objects.select_related("event")} >= {
        "case.assigned",
        "consent.recorded",
        "police_update.posted",
        "court_event.changed",
    }
    police_update = deliveries("police_update.posted").get()
    payload = build_payload(police_update)
    assert payload.type == "police_update.posted"
    assert payload.data == {"case": str(case.pk), "shared_update": str(update.pk)}
    court = build_payload(deliveries("court_event.changed").get())
    assert court.data == {"case": str(case.pk), "court_event": str(hearing.pk)}
    for delivery in WebhookDelivery.objects.select_related("event", "subscription__organisation"):
        text = json.dumps(build_payload(delivery).data)
        assert case.client.pseudonym not in text
        assert "Suspect" not in text


# --- a force's payloads: its shared-case view, at delivery ------------------------------------


def test_a_forces_share_started_is_its_shared_case_as_its_api_key_reads_it(
    caseworker, police_force
):
    subscribe(police_force)
    share = SharedCaseFactory(
        case=CaseFactory(opened_by=caseworker, pseudonym="Wren"), police_force=police_force
    )
    payload = build_payload(deliveries("share.started").get())
    _, secret = make_api_key(police_force, ["shared-cases:read"])
    read = client_for_key(secret).get(f"/api/v1/shared-cases/{share.pk}/")
    assert read.status_code == 200
    assert payload.type == "share.started"
    assert as_json(payload.data["shared_case"]) == read.json()
    assert payload.data["shared_case"]["identity"]["pseudonym"] == "Wren"
    text = json.dumps(payload.data)
    assert share.case.reference not in text and str(share.case_id) not in text


def test_an_anonymous_share_stays_anonymous(caseworker, police_force):
    subscribe(police_force)
    share = SharedCaseFactory(
        case=CaseFactory(opened_by=caseworker, pseudonym="Wren"),
        police_force=police_force,
        level="anonymous",
    )
    data = build_payload(deliveries("share.started").get()).data["shared_case"]
    assert data["level"] == "anonymous"
    assert data["identity"] is None and data["contact"] is None
    assert data["incident_date"] is None and data["started_at"] is None
    assert "Wren" not in json.dumps(data) and share.case.reference not in json.dumps(data)


def test_a_delivery_queued_before_a_withdrawal_says_only_that_the_share_ended(
    caseworker, police_force
):
    subscribe(police_force)
    share = SharedCaseFactory(
        case=CaseFactory(opened_by=caseworker, pseudonym="Wren"), police_force=police_force
    )
    liaison = PoliceLiaisonFactory(organisation=police_force)
    police_update_post(shared_case=share, author=liaison, kind="investigation", body="Arrest made.")
    queued = [deliveries("share.started").get(), deliveries("shared_update.posted").get()]
    consent_record(
        case=share.case,
        recorded_by=caseworker,
        scope="share_with_police",
        granted=False,
        method="verbal",
        police_force=police_force,
    )
    ended = deliveries("share.ended").get()
    today = timezone.localdate().isoformat()
    for delivery in [*queued, ended]:
        payload = build_payload(delivery)
        assert payload.type == "share.ended"
        assert payload.data == {"share_reference": share.share_reference, "ended_on": today}
        assert payload.shares == ()


def test_a_police_update_and_a_hearing_reach_the_force_as_its_api_shows_them(
    caseworker, police_force
):
    subscribe(police_force)
    share = SharedCaseFactory(case=CaseFactory(opened_by=caseworker), police_force=police_force)
    liaison = PoliceLiaisonFactory(organisation=police_force)
    police_update_post(shared_case=share, author=liaison, kind="investigation", body="Arrest made.")
    CourtEventFactory(case=share.case)
    as_force = client_for(liaison)
    update = build_payload(deliveries("shared_update.posted").get())
    listed = as_force.get(f"/api/v1/shared-cases/{share.pk}/updates/").json()["results"]
    assert as_json(update.data["update"]) == listed[0]
    assert update.data["shared_case"] == {
        "id": str(share.pk),
        "share_reference": share.share_reference,
    }
    hearing = build_payload(deliveries("shared_court_event.changed").get())
    shown = as_force.get(f"/api/v1/shared-cases/{share.pk}/court-events/").json()
    shown = shown["results"] if isinstance(shown, dict) else shown
    assert as_json(hearing.data["court_event"]) == shown[0]
    assert "attendees" not in hearing.data["court_event"]


def test_an_anonymous_share_hears_of_no_hearing(caseworker, police_force):
    subscribe(police_force)
    share = SharedCaseFactory(
        case=CaseFactory(opened_by=caseworker), police_force=police_force, level="anonymous"
    )
    CourtEventFactory(case=share.case)
    assert not deliveries("shared_court_event.changed").exists()


# --- one attempt -------------------------------------------------------------------------------


def _charity_delivery(charity, receiver, caseworker):
    subscription, secret = subscribe(charity, url=receiver.url, events=CHARITY_EVENTS)
    receiver.secret = secret
    ConsentDecisionFactory(case=CaseFactory(opened_by=caseworker))
    return subscription, deliveries("consent.recorded").get()


def test_a_delivery_to_a_force_is_kept_as_the_disclosure_it_is(caseworker, police_force, receiver):
    subscription, secret = subscribe(police_force, url=receiver.url)
    receiver.secret = secret
    share = SharedCaseFactory(
        case=CaseFactory(opened_by=caseworker, pseudonym="Wren"), police_force=police_force
    )
    delivery = deliveries("share.started").get()
    assert attempt(delivery.pk) == ("delivered", None)
    (received,) = receiver.received
    kept = Disclosure.objects.get(case=share.case, kind="webhook_delivery")
    assert (kept.recipient_id, kept.shared_case_id) == (police_force.pk, share.pk)
    assert kept.destination == subscription.url
    assert kept.consent_decision is not None and kept.consent_decision.granted
    sent = json.loads(kept.content)
    assert {**sent, "webhook_id": str(delivery.pk)} == received
    assert sent["data"]["shared_case"]["identity"]["pseudonym"] == "Wren"


def test_a_delivery_is_signed_and_a_2xx_ends_it(charity, caseworker, receiver):
    _, delivery = _charity_delivery(charity, receiver, caseworker)
    assert attempt(delivery.pk) == ("delivered", None)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 204)
    assert delivery.duration_ms is not None and delivery.delivered_at is not None
    (body,) = receiver.received
    assert body["webhook_id"] == str(delivery.pk)
    assert body["id"] == str(delivery.event_id) and body["type"] == "consent.recorded"
    assert body["version"] == 1
    assert receiver.unverified == 0
    assert attempt(delivery.pk) == ("skipped", None)
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    ("mode", "error", "status"),
    [("error", "http_500", 500), ("garbage", "connection", None), ("hang", "timeout", None)],
)
def test_a_failing_receiver_is_tried_again_later(
    charity, caseworker, receiver, settings, mode, error, status
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    receiver.mode = mode
    _, delivery = _charity_delivery(charity, receiver, caseworker)
    outcome, due_in = attempt(delivery.pk)
    assert outcome == "retry" and 0 < due_in <= settings.WEBHOOKS_RETRY_BASE_SECONDS
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, error)
    assert delivery.response_status == status
    assert delivery.next_attempt_at > timezone.now()
    assert attempt(delivery.pk) == ("not_due", None)


def test_retry_after_is_honoured(charity, caseworker, receiver):
    receiver.mode = "busy"
    _, delivery = _charity_delivery(charity, receiver, caseworker)
    outcome, due_in = attempt(delivery.pk)
    assert outcome == "retry" and due_in >= 120
    delivery.refresh_from_db()
    assert delivery.response_status == 429


def test_a_redirect_is_not_followed_and_not_retried(charity, caseworker, receiver):
    receiver.mode = "redirect"
    _, delivery = _charity_delivery(charity, receiver, caseworker)
    assert attempt(delivery.pk) == ("failed", None)
    assert receiver.attempts == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_status) == ("failed", 302)


def test_the_address_is_checked_again_at_delivery(charity, caseworker, receiver, settings):
    _, delivery = _charity_delivery(charity, receiver, caseworker)
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert attempt(delivery.pk) == ("failed", None)
    assert receiver.attempts == 0
    delivery.refresh_from_db()
    assert delivery.last_error == "address_refused"


def test_no_attempt_after_the_retry_window(charity, caseworker, receiver):
    receiver.mode = "error"
    _, delivery = _charity_delivery(charity, receiver, caseworker)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        retry_until=timezone.now() + timedelta(seconds=1)
    )
    assert attempt(delivery.pk) == ("failed", None)


def test_410_pauses_the_subscription_and_reminds_its_supervisors(
    charity, caseworker, receiver, as_supervisor, supervisor
):
    receiver.mode = "gone"
    subscription, delivery = _charity_delivery(charity, receiver, caseworker)
    assert attempt(delivery.pk) == ("failed", None)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.pause_reason) == (False, "gone")
    reminded = Reminder.objects.filter(kind="webhook_paused")
    assert {r.assignee for r in reminded} == set(supervisors_of(charity))
    assert caseworker not in {r.assignee for r in reminded}
    listed = as_supervisor.get("/api/v1/reminders/").json()["results"]
    mine = [r for r in listed if r["assignee"] == supervisor.username]
    assert [(r["kind"], r["case"]) for r in mine] == [("webhook_paused", None)]
    assert AuditEvent.objects.filter(action="webhook.pause", organisation=charity).count() == 1


def supervisors_of(charity):
    from casework.accounts.models import User

    return User.objects.filter(organisation=charity, role="supervisor")


def test_repeated_failures_pause_it_and_turning_it_on_resumes(
    charity, caseworker, receiver, settings, as_supervisor, supervisor
):
    from ..editing import edit

    settings.WEBHOOKS_PAUSE_AFTER_FAILURES = 3
    receiver.mode = "error"
    subscription, first = _charity_delivery(charity, receiver, caseworker)
    for _ in range(3):
        WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
        attempt(first.pk)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.pause_reason) == (False, "failures")
    assert subscription.consecutive_failures == 3
    assert Reminder.objects.filter(kind="webhook_paused", assignee=supervisor).count() == 1
    WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert attempt(first.pk) == ("paused", None)
    refused = as_supervisor.post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{first.pk}/redeliver/"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "webhook_paused"
    receiver.mode = "ok"
    resumed = edit(as_supervisor, f"/api/v1/webhooks/{subscription.pk}/", {"active": True})
    assert resumed.status_code == 200 and resumed.json()["consecutive_failures"] == 0
    assert attempt(first.pk) == ("delivered", None)


def test_the_delivery_log_shows_attempts_but_no_payload(
    charity, caseworker, receiver, as_supervisor
):
    receiver.mode = "error"
    subscription, delivery = _charity_delivery(charity, receiver, caseworker)
    attempt(delivery.pk)
    log = as_supervisor.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/")
    assert log.status_code == 200
    rows = log.json()["results"]
    # The case's assignment was told of too (the subscription wants it), newest first.
    assert [r["type"] for r in rows] == ["consent.recorded", "case.assigned"]
    row = rows[0]
    assert row["id"] == str(delivery.pk)
    assert (row["status"], row["attempts"], row["response_status"]) == ("pending", 1, 500)
    assert "data" not in row and "payload" not in row
    again = as_supervisor.post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{delivery.pk}/redeliver/"
    )
    assert again.status_code == 202 and again.json()["status"] == "pending"
    receiver.mode = "ok"
    assert attempt(delivery.pk) == ("delivered", None)
    assert AuditEvent.objects.filter(action="webhook.redeliver").count() == 1
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_a_tampered_or_replayed_delivery_fails_verification(charity, caseworker, receiver):
    from datetime import UTC, datetime

    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    from casework.webhooks.delivery import body_of, secrets_in_force
    from casework.webhooks.signing import signed_headers

    subscription, delivery = _charity_delivery(charity, receiver, caseworker)
    body = body_of(delivery, build_payload(delivery))
    headers = signed_headers(
        message_id=str(delivery.pk), body=body, secrets_in_force=secrets_in_force(subscription)
    )
    verifier = Webhook(subscription.secret)
    assert verifier.verify(body, headers)["type"] == "consent.recorded"
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body.replace("consent.recorded", "case.assigned"), headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body, {**headers, "webhook-id": "another"})
    old = signed_headers(
        message_id=str(delivery.pk),
        body=body,
        secrets_in_force=[subscription.secret],
        at=datetime.now(tz=UTC) - timedelta(minutes=10),
    )
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body, old)
