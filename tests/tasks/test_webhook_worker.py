"""Webhook deliveries sent by a real Celery worker to a receiver in a thread of the test, which
verifies every signature with the ``standardwebhooks`` library: a force told of a share, an
update and then only that the share ended; a receiver that was down getting every delivery
exactly once when it comes back, with the worker killed in the middle of one; and a receiver
that keeps failing getting its subscription paused and its supervisor reminded.

Backoff is cut to fractions of a second through the worker's environment; every process and
thread a test starts is stopped in a ``finally`` block."""

import os
import time

import pytest
from django.conf import settings as django_settings

from casework.reminders.models import Reminder
from casework.sharing.services import consent_record, police_update_post, shared_note_add
from casework.webhooks.models import WebhookDelivery, WebhookSubscription
from casework.webhooks.services import subscription_create
from casework.webhooks.tasks import send_due_webhooks

from ..celery_worker import WorkerProcess
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    UserFactory,
)
from ..support.smtp_sink import free_port
from ..support.webhook_receiver import Receiver
from .test_reminder_worker import purge, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FAST = {
    "WEBHOOKS_RETRY_BASE_SECONDS": "0.5",
    "WEBHOOKS_RETRY_MAX_SECONDS": "2",
    "WEBHOOKS_TIMEOUT_SECONDS": "3",
}


@pytest.fixture
def queue(settings):
    """A queue of the test's own: the deliveries it makes go there, and its worker takes them."""
    name = f"{django_settings.CELERY_TASK_DEFAULT_QUEUE}-webhooks-{os.getpid()}"
    settings.WEBHOOKS_CELERY_QUEUE = name
    yield name
    purge(name)


def worker_for(queue: str, name: str, **env: str) -> WorkerProcess:
    return WorkerProcess(
        concurrency=2,
        name=name,
        queue=queue,
        env={**FAST, "WEBHOOKS_CELERY_QUEUE": queue, **env},
        own_process_group=True,
    )


def test_a_force_hears_of_a_share_and_its_updates_and_after_withdrawal_only_that_it_ended(queue):
    charity = OrganisationFactory()
    caseworker = UserFactory(organisation=charity)
    force = PoliceForceFactory()
    liaison = PoliceLiaisonFactory(organisation=force)
    receiver = Receiver().start()
    _, receiver.secret = subscription_create(
        organisation=force,
        by=liaison,
        url=receiver.url,
        events=["share.started", "share.ended", "shared_update.posted"],
    )
    worker = worker_for(queue, "webhooks-force")
    try:
        worker.start()
        share = SharedCaseFactory(
            case=CaseFactory(opened_by=caseworker, pseudonym="Wren"), police_force=force
        )
        anonymous = SharedCaseFactory(
            case=CaseFactory(opened_by=caseworker, pseudonym="Robin"),
            police_force=force,
            level="anonymous",
        )
        shared_note_add(case=share.case, author=caseworker, body="She will give a statement.")
        police_update_post(
            shared_case=share, author=liaison, kind="investigation", body="Suspect arrested."
        )
        wait_for(lambda: len(receiver.received) == 4, timeout=60, what="four deliveries")
        by_share = {
            body["data"]["shared_case"]["share_reference"]: body
            for body in receiver.received
            if body["type"] == "share.started"
        }
        identified = by_share[share.share_reference]["data"]["shared_case"]
        assert identified["identity"]["pseudonym"] == "Wren"
        hidden = by_share[anonymous.share_reference]["data"]["shared_case"]
        assert hidden["identity"] is None and hidden["contact"] is None
        assert "Robin" not in str(hidden) and anonymous.case.reference not in str(hidden)
        updates = sorted(
            body["data"]["update"]["body"]
            for body in receiver.received
            if body["type"] == "shared_update.posted"
        )
        assert updates == ["She will give a statement.", "Suspect arrested."]

        # Queued while no worker runs, sent after the client withdrew: only "share ended".
        worker.stop()
        police_update_post(
            shared_case=share, author=liaison, kind="investigation", body="Charged today."
        )
        consent_record(
            case=share.case,
            recorded_by=caseworker,
            scope="share_with_police",
            granted=False,
            method="verbal",
            police_force=force,
        )
        worker.start()
        wait_for(lambda: len(receiver.received) == 6, timeout=60, what="two more deliveries")
        after = receiver.received[4:]
        assert [body["type"] for body in after] == ["share.ended", "share.ended"]
        for body in after:
            assert set(body["data"]) == {"share_reference", "ended_on"}
            assert body["data"]["share_reference"] == share.share_reference
        assert "Charged today." not in str(receiver.received)
        assert receiver.unverified == 0
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    finally:
        worker.kill()
        worker.stop()
        receiver.stop()


def test_a_receiver_down_for_a_while_gets_every_delivery_once_even_past_a_killed_worker(
    queue,
):
    charity = OrganisationFactory()
    caseworker = UserFactory(organisation=charity)
    supervisor = SupervisorFactory(organisation=charity)
    port = free_port()  # nothing listens here yet: the receiver is down
    _, secret = subscription_create(
        organisation=charity,
        by=supervisor,
        url=f"http://127.0.0.1:{port}/hooks",
        events=["consent.recorded"],
    )
    env = {"WEBHOOKS_PAUSE_AFTER_FAILURES": "1000"}
    doomed = worker_for(queue, "webhooks-doomed", **env)
    fresh = worker_for(queue, "webhooks-fresh", **env)
    receiver = None
    try:
        doomed.start()
        for _ in range(4):
            ConsentDecisionFactory(case=CaseFactory(opened_by=caseworker))
        expected = {str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)}
        assert len(expected) == 4
        wait_for(
            lambda: not WebhookDelivery.objects.filter(attempts__lt=2).exists(),
            timeout=60,
            what="every delivery to fail twice while the receiver is down",
        )
        # The receiver comes back, but holds the first request it gets: the worker is killed
        # in the middle of that delivery.
        receiver = Receiver(secret=secret, mode="hang", port=port).start()
        wait_for(receiver.hanging.is_set, timeout=60, what="a delivery in flight")
        doomed.kill()
        receiver.mode = "ok"
        receiver.release.set()
        fresh.start()

        # The beat's sweep finds what the killed worker held (its retries went with it).
        def all_delivered():
            send_due_webhooks()
            time.sleep(0.5)
            return not WebhookDelivery.objects.exclude(status="delivered").exists()

        wait_for(all_delivered, timeout=90, what="every delivery to arrive", every=0.5)
        assert {body["webhook_id"] for body in receiver.distinct()} == expected
        assert set(receiver.ids().values()) == {1}, receiver.ids()
        assert receiver.unverified == 0
        assert WebhookSubscription.objects.get().consecutive_failures == 0
    finally:
        doomed.kill()
        fresh.stop()
        if receiver is not None:
            receiver.stop()


def test_a_receiver_that_keeps_failing_is_paused_and_its_supervisor_reminded(queue):
    charity = OrganisationFactory()
    caseworker = UserFactory(organisation=charity)
    supervisor = SupervisorFactory(organisation=charity)
    receiver = Receiver(mode="error").start()
    subscription, receiver.secret = subscription_create(
        organisation=charity, by=supervisor, url=receiver.url, events=["consent.recorded"]
    )
    worker = worker_for(queue, "webhooks-failing", WEBHOOKS_PAUSE_AFTER_FAILURES="3")
    try:
        worker.start()
        ConsentDecisionFactory(case=CaseFactory(opened_by=caseworker))

        def paused():
            subscription.refresh_from_db()
            return not subscription.active

        wait_for(paused, timeout=60, what="the subscription to be paused")
        assert subscription.pause_reason == "failures"
        (reminder,) = Reminder.objects.filter(kind="webhook_paused")
        assert reminder.assignee == supervisor and reminder.case is None
        attempts = receiver.attempts
        assert attempts == 3
        send_due_webhooks()
        time.sleep(2)
        assert receiver.attempts == attempts  # nothing more goes while it is paused
        assert WebhookDelivery.objects.get().status == "pending"
    finally:
        worker.stop()
        receiver.stop()
