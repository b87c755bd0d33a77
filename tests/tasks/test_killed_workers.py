"""A real worker killed with SIGKILL in the middle of each kind of periodic work loses and doubles
nothing: the reminder scan, the message sweep and its recovery, the daily digests, retention,
webhook deliveries and (a command, not a task) key rotation. And a worker told to stop with
SIGTERM finishes the task it holds first.

Each kill lands at a known point: the worker loads ``tests.support.pause``, which holds it in
the middle of the task (after a named number of calls to a function the task makes) until the
test has killed it. The work is then run again as beat would run it, on a fresh worker, and
each row or effect it should have made is counted. Every process a test starts is stopped in a
``finally`` block."""

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from casework.accounts.tasks import ping
from casework.audit.models import AuditEvent
from casework.cases.models import Case
from casework.privacy.tasks import apply_retention
from casework.reminders.messages import message_plan
from casework.reminders.models import (
    DigestDelivery,
    GatewayDelivery,
    OutboundMessage,
    Reminder,
    ReminderPreference,
)
from casework.reminders.tasks import (
    recover_stuck_messages,
    scan_reminders,
    send_daily_digests,
    send_due_messages,
)
from casework.webhooks.models import WebhookDelivery
from casework.webhooks.services import subscription_create
from casework.webhooks.tasks import send_due_webhooks

from ..celery_worker import ROOT, WorkerProcess
from ..factories import (
    CaseFactory,
    ConsentDecisionFactory,
    OrganisationFactory,
    SupervisorFactory,
    UserFactory,
)
from ..support.pause import release_path
from ..support.smtp_sink import SmtpSink, free_port
from ..support.webhook_receiver import Receiver
from .test_reminder_worker import (
    PER_CASE,
    assert_each_reminder_once,
    due_world,
    private_queue,
    purge,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECORDING = {"MESSAGE_GATEWAY": "tests.support.gateways.RecordingGateway"}


class Pause:
    """Where a process is held: ``at`` (``module:attribute``) on the call after ``after``."""

    def __init__(self, tmp_path: Path, at: str, after: int = 0) -> None:
        self.marker = tmp_path / "paused"
        self.at = at
        self.after = after

    def env(self) -> dict[str, str]:
        return {
            "PAUSE_AT": self.at,
            "PAUSE_AFTER_CALLS": str(self.after),
            "PAUSE_MARKER": str(self.marker),
        }

    def reached(self, timeout: float = 60) -> None:
        wait_for(self.marker.exists, timeout=timeout, what=f"the pause at {self.at}")

    def release(self) -> None:
        release_path(self.marker).touch()


def workers(queue: str, pause: Pause, **env: str) -> tuple[WorkerProcess, WorkerProcess]:
    """A worker held at ``pause`` and a fresh one, both taking only ``queue`` and sending the
    tasks their tasks start there too."""
    common = {"TEST_CELERY_QUEUE": queue, **env}
    doomed = WorkerProcess(
        concurrency=1,
        name="doomed",
        queue=queue,
        env={**common, **pause.env()},
        own_process_group=True,
        include=("tests.support.pause",),
    )
    fresh = WorkerProcess(
        concurrency=1, name="fresh", queue=queue, env=common, own_process_group=True
    )
    return doomed, fresh


def drain(queue: str) -> None:
    """Waits until a one-process worker has done everything sent to ``queue`` so far: the
    queue is first in, first out, so a ping sent now answers after it."""
    assert ping.apply_async(args=["drained"], queue=queue).get(timeout=120)["echo"] == "drained"


@pytest.fixture
def queue():
    name = private_queue(f"killed-{uuid.uuid4().hex[:8]}")
    purge(name)
    yield name
    purge(name)


# --- the reminder scan ----------------------------------------------------------------------


def test_a_scan_killed_between_its_rules_makes_each_reminder_once_when_run_again(tmp_path, queue):
    cases = 2
    due_world(cases)
    # Held as the fourth rule starts: three rules' reminders are committed, the rest are not.
    pause = Pause(tmp_path, "casework.reminders.scan:apply_staged", after=3)
    doomed, fresh = workers(queue, pause)
    try:
        doomed.start()
        scan_reminders.apply_async(queue=queue)
        pause.reached()
        doomed.kill()
        made = Reminder.objects.count()
        assert 0 < made < sum(PER_CASE.values()) * cases

        fresh.start()
        scan_reminders.apply_async(queue=queue).get(timeout=120)
        scan_reminders.apply_async(queue=queue).get(timeout=120)
        drain(queue)
        assert_each_reminder_once(cases)
    finally:
        doomed.kill()
        fresh.stop()


# --- messages: the sweep that sends them and the recovery of those left sending ------------


def due_messages(caseworker, count: int) -> list[OutboundMessage]:
    return [
        message_plan(
            case=CaseFactory(opened_by=caseworker, pseudonym=f"Wren {n}", reachable=True),
            author=caseworker,
            purpose="court_date",
            channel="text",
            body=f"Your hearing is tomorrow at {n + 9}.",
            send_after=timezone.now() - timedelta(minutes=1),
        )
        for n in range(count)
    ]


def assert_each_message_sent_once(messages: list[OutboundMessage]) -> None:
    ids = {m.pk for m in messages}
    assert set(OutboundMessage.objects.filter(status="sent").values_list("pk", flat=True)) == ids
    assert Counter(GatewayDelivery.objects.values_list("message_id", flat=True)) == {
        pk: 1 for pk in ids
    }


def test_the_message_sweep_killed_mid_way_sends_each_message_once(tmp_path, queue, caseworker):
    messages = due_messages(caseworker, 3)
    # Held as it asks for the second send: one send is queued, two are not.
    pause = Pause(tmp_path, "casework.reminders.tasks:send_message.delay", after=1)
    doomed, fresh = workers(queue, pause, **RECORDING)
    try:
        doomed.start()
        send_due_messages.apply_async(queue=queue)
        pause.reached()
        doomed.kill()
        assert not OutboundMessage.objects.filter(status="sent").exists()

        fresh.start()
        send_due_messages.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        send_due_messages.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        assert_each_message_sent_once(messages)
    finally:
        doomed.kill()
        fresh.stop()


def test_the_recovery_of_stuck_messages_killed_mid_way_recovers_each_once(
    tmp_path, queue, caseworker
):
    messages = due_messages(caseworker, 3)
    long_ago = timezone.now() - timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS + 60)
    OutboundMessage.objects.update(status="sending", sending_started_at=long_ago, attempts=1)
    # The gateway took the first before its worker died; the other two it never saw.
    accepted = messages[0]
    GatewayDelivery.objects.create(
        message=accepted, backend="recording", accepted_at=long_ago, reference="before the crash"
    )
    # Held on its second save: one message recovered and committed, the second in the middle.
    pause = Pause(tmp_path, "casework.reminders.models:OutboundMessage.save", after=1)
    doomed, fresh = workers(queue, pause, **RECORDING)
    try:
        doomed.start()
        recover_stuck_messages.apply_async(queue=queue)
        pause.reached()
        doomed.kill()
        assert OutboundMessage.objects.filter(status="sending").count() == 2

        fresh.start()
        assert recover_stuck_messages.apply_async(queue=queue).get(timeout=60)["sent"] in (0, 1)
        assert recover_stuck_messages.apply_async(queue=queue).get(timeout=60) == {
            "sent": 0,
            "replanned": 0,
        }
        send_due_messages.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        assert_each_message_sent_once(messages)
        assert GatewayDelivery.objects.get(message=accepted).reference == "before the crash"
        # The one the gateway had taken is logged as contact once, as is each sent afterwards.
        assert Counter(
            accepted.case.contacts.filter(outcome="message_left").values_list("case_id", flat=True)
        ) == {accepted.case_id: 1}
    finally:
        doomed.kill()
        fresh.stop()


# --- daily digests --------------------------------------------------------------------------


def test_the_digests_killed_mid_way_send_each_person_one(tmp_path, queue, charity):
    people = [UserFactory(organisation=charity, email=f"worker{n}@charity.test") for n in range(3)]
    for person in people:
        ReminderPreference.objects.create(user=person, daily_digest=True)
        case = CaseFactory(opened_by=person)
        Reminder.objects.create(
            organisation=charity,
            kind="no_recent_contact",
            case=case,
            assignee=person,
            due_at=timezone.now() - timedelta(hours=1),
            dedup_key=f"digest:{person.pk}",
        )
    port = free_port()
    mail = {
        "DJANGO_SETTINGS_MODULE": "tests.support.worker_settings",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "REMINDER_DIGEST_HOUR": "0",
    }
    # Held as the second digest is about to go: the first went and its day is recorded.
    pause = Pause(tmp_path, "casework.reminders.notify:send_mail", after=1)
    doomed, fresh = workers(queue, pause, **mail)
    sink = SmtpSink(port)
    try:
        sink.start()
        doomed.start()
        send_daily_digests.apply_async(queue=queue)
        pause.reached()
        doomed.kill()
        assert len(sink.messages) == 1
        assert DigestDelivery.objects.filter(sent_at__isnull=False).count() == 1

        fresh.start()
        send_daily_digests.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        send_daily_digests.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        recipients = Counter(
            line.removeprefix("To: ").strip()
            for message in sink.messages
            for line in message.splitlines()
            if line.startswith("To: ")
        )
        assert recipients == {person.email: 1 for person in people}
        assert Counter(DigestDelivery.objects.values_list("user_id", flat=True)) == {
            person.pk: 1 for person in people
        }
        assert not DigestDelivery.objects.filter(sent_at__isnull=True).exists()
    finally:
        doomed.kill()
        fresh.stop()
        sink.stop()


# --- retention ------------------------------------------------------------------------------


def test_retention_killed_mid_way_anonymises_each_case_once(tmp_path, queue, caseworker):
    cases = [
        CaseFactory(opened_by=caseworker, support="closed", closure_reason="moved_away")
        for _ in range(3)
    ]
    years_ago = timezone.now() - timedelta(days=365 * 10)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(closed_at=years_ago)
    # Held as the second case is about to be anonymised: the first is done and committed.
    pause = Pause(tmp_path, "casework.privacy.retention:anonymise_case", after=1)
    doomed, fresh = workers(queue, pause)
    try:
        doomed.start()
        apply_retention.apply_async(queue=queue)
        pause.reached()
        doomed.kill()
        assert Case.objects.filter(anonymised_at__isnull=False).count() == 1

        fresh.start()
        apply_retention.apply_async(queue=queue).get(timeout=120)
        again = apply_retention.apply_async(queue=queue).get(timeout=120)
        assert again["cases"] == 0
        assert not Case.objects.filter(anonymised_at__isnull=True).exists()
        anonymised = Counter(
            AuditEvent.objects.filter(action="case.anonymise").values_list("object_id", flat=True)
        )
        assert anonymised == {str(c.pk): 1 for c in cases}
    finally:
        doomed.kill()
        fresh.stop()


# --- webhook deliveries ---------------------------------------------------------------------


def test_the_webhook_sweep_killed_mid_way_delivers_each_once(tmp_path, queue, settings):
    settings.WEBHOOKS_CELERY_QUEUE = queue
    charity = OrganisationFactory()
    caseworker = UserFactory(organisation=charity)
    supervisor = SupervisorFactory(organisation=charity)
    port = free_port()
    _, secret = subscription_create(
        organisation=charity,
        by=supervisor,
        url=f"http://127.0.0.1:{port}/hooks",
        events=["consent.recorded"],
    )
    for _ in range(3):
        ConsentDecisionFactory(case=CaseFactory(opened_by=caseworker))
    purge(queue)  # what the writes queued is lost, as with a broker that lost its queue
    expected = {str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)}
    assert len(expected) == 3
    # Held as it queues the second delivery: one queued, two not.
    pause = Pause(tmp_path, "casework.webhooks.tasks:deliver_webhook.apply_async", after=1)
    doomed, fresh = workers(queue, pause, WEBHOOKS_CELERY_QUEUE=queue)
    receiver = Receiver(secret=secret, mode="ok", port=port).start()
    try:
        doomed.start()
        send_due_webhooks.apply_async(queue=queue)
        pause.reached()
        doomed.kill()
        assert not WebhookDelivery.objects.filter(status="delivered").exists()

        fresh.start()
        send_due_webhooks.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        send_due_webhooks.apply_async(queue=queue).get(timeout=60)
        drain(queue)
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
        assert {body["webhook_id"] for body in receiver.distinct()} == expected
        assert set(receiver.ids().values()) == {1}, receiver.ids()
    finally:
        doomed.kill()
        fresh.stop()
        receiver.stop()


# --- key rotation (a command) ---------------------------------------------------------------


def test_key_rotation_killed_mid_way_and_run_again_leaves_every_value_once_under_the_new_key(
    tmp_path, caseworker, settings
):
    from casework.clients.models import Client
    from casework.crypto.rotation import key_usage

    for n in range(4):
        CaseFactory(opened_by=caseworker, pseudonym=f"Rotated {n}")
    before = {c.pk: c.pseudonym for c in Client.objects.all()}
    new = "rotated:cnJycnJycnJycnJycnJycnJycnJycnJycnJycnJycnI="
    keys = ",".join([new, *settings.FIELD_ENCRYPTION_KEYS])
    env = {**WorkerProcess().environment(), "FIELD_ENCRYPTION_KEYS": keys}
    command = ["rotate_encryption_keys", "--batch-size", "1"]
    # Held as the third client is about to be saved: whatever came before it and two clients
    # re-encrypted and committed (a batch of one row each), the rest not.
    pause = Pause(tmp_path, "casework.clients.models:Client.save", after=2)
    doomed = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.support.pause", *command],
        cwd=ROOT,
        env={**env, **pause.env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        pause.reached()
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=20)
        settings.FIELD_ENCRYPTION_KEYS = [new, *settings.FIELD_ENCRYPTION_KEYS]
        usage = key_usage()
        new_id = new.split(":")[0]
        total = sum(usage.values())
        assert 2 <= usage.get(new_id, 0) < total, usage

        again = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert f"key {new_id} (primary): {total} value(s)" in again.stdout
        assert key_usage() == {new_id: total}
        assert {c.pk: c.pseudonym for c in Client.objects.all()} == before
    finally:
        if doomed.poll() is None:
            doomed.kill()


# --- SIGTERM: a worker told to stop finishes what it holds ----------------------------------


def test_a_worker_told_to_stop_finishes_the_task_it_holds_and_gives_nothing_back(tmp_path, queue):
    cases = 1
    due_world(cases)
    pause = Pause(tmp_path, "casework.reminders.scan:apply_staged", after=3)
    doomed, _ = workers(queue, pause)
    try:
        doomed.start()
        result = scan_reminders.apply_async(queue=queue)
        pause.reached()
        os.kill(doomed.process.pid, signal.SIGTERM)
        pause.release()
        assert doomed.process.wait(timeout=60) == 0
        assert result.get(timeout=10)
        assert_each_reminder_once(cases)
        # Acknowledged: nothing waits in the queue or among the unacknowledged for redelivery.
        with ping.app.connection_for_write() as connection:
            client = connection.default_channel.client
            assert client.llen(queue) <= 1  # the scan's own follow-up email task, if any
            assert not any(
                queue.encode() in value and b"scan_reminders" in value
                for value in client.hvals("unacked")
            )
    finally:
        doomed.kill()
