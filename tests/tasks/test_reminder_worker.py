"""Reminders and messages with real Celery workers on a real Redis broker: scans at the same
time, a worker killed in the middle of a send, a broker that goes away and comes back, a mail
server that is down, a share that ends while an email about it waits for that server, and a case
that closes while a message to its client is being sent. Every wait is bounded, and every process
a test starts is stopped in a ``finally`` block.

The database state is built in real time (a worker cannot be time-travelled): a case opened 30
days ago, never verified, never reached, three unanswered calls, a hearing in two hours, a consent
review in three days, a police share without an update for 40 days and a referral to support
owed for 30 days has every reminder due."""

import contextlib
import os
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from casework.accounts.tasks import ping
from casework.cases.models import Case
from casework.cases.services.cases import case_transition
from casework.celery import app
from casework.contact_requests.models import ContactRequest
from casework.contact_requests.services import contact_request_create
from casework.court.services import open_entitlement
from casework.disclosures.models import RecordsRequest
from casework.disclosures.services import records_request_make
from casework.reminders.choices import ACTIVE_STATUSES, ReminderKind
from casework.reminders.messages import message_claim, message_plan, recover_stuck
from casework.reminders.models import GatewayDelivery, OutboundMessage, Reminder
from casework.reminders.rules import RULES, _load
from casework.reminders.tasks import email_reminder, scan_reminders, send_message
from casework.sharing.models import SharedCase

from ..celery_worker import WorkerProcess
from ..factories import (
    CaseFactory,
    ClientFactory,
    ConsentDecisionFactory,
    ContactLogEntryFactory,
    ContactMethodFactory,
    CourtEventFactory,
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SharedCaseFactory,
    SupervisorFactory,
    UserFactory,
)
from ..support.smtp_sink import SmtpSink, free_port

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

K = ReminderKind
PER_CASE = Counter(
    {
        K.REVERIFY_CONTACT: 1,
        K.NO_RECENT_CONTACT: 1,
        K.CONTACT_FAILURES: 2,  # one for each of the two supervisors
        K.COURT_DATE: 2,  # seven days before and the working day before
        K.CONSENT_REVIEW: 1,
        K.POLICE_UPDATE_OVERDUE: 1,  # the force's one liaison officer
        K.VICTIMS_CODE_OVERDUE: 1,  # a referral to support owed 30 days ago
        K.RECORDS_REQUEST_OVERDUE: 1,  # a force's request for records waiting a month
        K.CONTACT_REQUEST: 1,  # a force asking to reach the client: the caseworker
        K.CONTACT_REQUEST_OVERDUE: 2,  # unanswered past its time: each supervisor
    }
)


def wait_for(condition, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


def private_queue(purpose: str) -> str:
    """A queue only the test's own worker consumes, so the session worker never takes its
    tasks."""
    return f"{settings.CELERY_TASK_DEFAULT_QUEUE}-{purpose}-{os.getpid()}"


def purge(queue: str) -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


# --- the world ----------------------------------------------------------------------------------


def due_world(cases: int) -> dict:
    """``cases`` cases of one charity, each with every reminder due now."""
    charity = OrganisationFactory()
    caseworker = UserFactory(organisation=charity)
    SupervisorFactory(organisation=charity)
    SupervisorFactory(organisation=charity)
    force = PoliceForceFactory()
    liaison = PoliceLiaisonFactory(organisation=force)
    now = timezone.now()
    made = []
    for n in range(cases):
        client = ClientFactory(created_by=caseworker, pseudonym=f"Wren {n}")
        mobile = ContactMethodFactory(client=client, kind="mobile", value=f"07700 900{n:03d}")
        case = CaseFactory(client=client, opened_by=caseworker, support="active")
        Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(days=30))
        for scope, force_of in (("store_records", None), ("share_with_police", force)):
            ConsentDecisionFactory(
                case=case,
                scope=scope,
                police_force=force_of,
                review_date=timezone.localdate() + timedelta(days=3) if force_of is None else None,
            )
        SharedCase.objects.filter(case=case).update(started_at=now - timedelta(days=40))
        asked = records_request_make(
            shared_case=SharedCase.objects.get(case=case),
            requested_by=liaison,
            material="The notes of the night.",
            line_of_enquiry="Where the suspect went.",
            necessity="No other record.",
            proportionality="One night only.",
        )
        RecordsRequest.objects.filter(pk=asked.pk).update(
            respond_by=now.date() - timedelta(days=20)
        )
        reach = contact_request_create(
            shared_case=SharedCase.objects.get(case=case),
            requested_by=liaison,
            purpose="take_statement",
            explanation="A statement about the night.",
            urgency="routine",
            preferred_contact="phone_call",
            window_from=now,
            window_until=now + timedelta(days=10),
        )
        ContactRequest.objects.filter(pk=reach.pk).update(respond_by=now - timedelta(days=1))
        CourtEventFactory(case=case, starts_at=now + timedelta(hours=2))
        open_entitlement(
            case=case, right="referral_to_support", triggered_on=now.date() - timedelta(days=30)
        )
        for hours in (3, 2, 1):
            ContactLogEntryFactory(
                case=case,
                occurred_at=now - timedelta(hours=hours),
                outcome="no_answer",
                contact_method=mobile,
            )
        made.append(case)
    return {"cases": made, "caseworker": caseworker}


def derived_now() -> set[str]:
    """The reminders the rules find due now, computed here rather than by a worker."""
    _load()
    now = timezone.now()
    return {candidate.dedup_key for find in RULES.values() for candidate in find(now)}


def assert_each_reminder_once(cases: int) -> None:
    reminders = list(Reminder.objects.values_list("kind", "case_id", "assignee_id", "due_at"))
    assert Counter(kind for kind, *_ in reminders) == Counter(
        {kind: count * cases for kind, count in PER_CASE.items()}
    )
    assert len(set(reminders)) == len(reminders), "a reason has two reminders"
    active = set(
        Reminder.objects.filter(status__in=ACTIVE_STATUSES).values_list("dedup_key", flat=True)
    )
    assert active == derived_now()


# --- (a) two scans at once ----------------------------------------------------------------------


def test_two_scans_at_once_make_each_reminder_exactly_once(celery_worker_process):
    cases = 12
    due_world(cases)
    first, second = scan_reminders.delay(), scan_reminders.delay()
    results = [first.get(timeout=120), second.get(timeout=120)]

    assert_each_reminder_once(cases)
    for result in results:
        # Each scan saw every reason; between them, no reminder was made twice.
        assert {kind: r["found"] for kind, r in result.items()} == {
            kind: count * cases for kind, count in PER_CASE.items()
        }
        assert all(r["cancelled"] == 0 for r in result.values())


# --- (b) a worker killed in the middle of a send ------------------------------------------------


def test_a_worker_killed_mid_send_leaves_one_sent_message_after_recovery(tmp_path, caseworker):
    case = CaseFactory(opened_by=caseworker, pseudonym="Wren", reachable=True)
    message = message_plan(
        case=case,
        author=caseworker,
        purpose="court_date",
        channel="text",
        body="Your hearing is tomorrow at 10. I will meet you outside.",
        send_after=timezone.now() - timedelta(minutes=1),
    )
    queue = private_queue("slow-gateway")
    marker = tmp_path / "handing-over"
    gateway_env = {
        "MESSAGE_GATEWAY": "tests.support.gateways.SlowGateway",
        "SLOW_GATEWAY_MARKER": str(marker),
    }
    doomed = WorkerProcess(
        concurrency=1,
        name="slow-gateway",
        queue=queue,
        env={**gateway_env, "SLOW_GATEWAY_SECONDS": "120"},
        own_process_group=True,
    )
    fresh = WorkerProcess(
        concurrency=1,
        name="fresh-gateway",
        queue=queue,
        env={**gateway_env, "SLOW_GATEWAY_SECONDS": "0"},
        own_process_group=True,
    )
    try:
        doomed.start()
        send_message.apply_async(args=[str(message.pk)], queue=queue)
        wait_for(marker.exists, timeout=60, what="the worker to start handing the message over")
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("sending", 1)

        doomed.kill()
        message.refresh_from_db()
        assert message.status == "sending"
        assert not GatewayDelivery.objects.filter(message=message).exists()

        # Not yet stuck for long enough; then past the timeout, it goes back to planned.
        assert recover_stuck(now=timezone.now()) == {"sent": 0, "replanned": 0}
        later = timezone.now() + timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS + 1)

        # The sweep skips a row still locked by a dead connection PostgreSQL has yet to reap.
        def sweep():
            outcome = recover_stuck(now=later)
            return outcome if any(outcome.values()) else None

        assert wait_for(sweep, timeout=30, what="the sweep", every=0.5) == {
            "sent": 0,
            "replanned": 1,
        }
        message.refresh_from_db()
        assert message.status == "planned"

        marker.unlink()
        fresh.start()
        outcome = send_message.apply_async(args=[str(message.pk)], queue=queue)
        assert outcome.get(timeout=60) == "sent"
        again = send_message.apply_async(args=[str(message.pk)], queue=queue)
        assert again.get(timeout=60) == "sent"

        message.refresh_from_db()
        assert (message.status, message.attempts) == ("sent", 2)
        assert OutboundMessage.objects.filter(status="sent").count() == 1
        assert GatewayDelivery.objects.count() == 1
        assert GatewayDelivery.objects.get().message_id == message.pk
        assert marker.read_text().split() == [str(message.pk)]  # one hand-over after recovery
    finally:
        doomed.kill()
        fresh.stop()
        purge(queue)


# --- (c) the broker stops and comes back --------------------------------------------------------


class RedisServer:
    """A private ``redis-server`` that keeps nothing on disk, so a restart starts empty."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [  # noqa: S607
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=20, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping()
        except redis.ConnectionError:
            return False

    def unacknowledged(self) -> int:
        """Messages a worker has taken and not yet acknowledged (kombu keeps them in a hash)."""
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).hlen("unacked")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def probe_app(broker: str, backend: str, queue: str) -> Celery:
    """A Celery client of the private broker (the project's app stays on the test broker),
    sending to ``queue``."""
    probe = Celery("casework-probe", broker=broker, backend=backend, set_as_current=False)
    probe.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=queue,
        broker_connection_retry_on_startup=True,
    )
    return probe


def test_a_broker_stopped_and_restarted_loses_no_reminder():
    cases = 3
    due_world(cases)
    port = free_port()
    broker, backend = f"redis://127.0.0.1:{port}/0", f"redis://127.0.0.1:{port}/1"
    server = RedisServer(port)
    # A queue of its own as well as a broker: nothing but this test's worker can take the scan,
    # so a reminder made while the broker is down can only mean a scan got through it.
    queue = private_queue("broker")
    probe = probe_app(broker, backend, queue)
    worker = WorkerProcess(
        name="private-broker",
        queue=queue,
        env={"TEST_CELERY_BROKER_URL": broker, "TEST_CELERY_RESULT_BACKEND": backend},
        own_process_group=True,
        control=probe,
    )
    scan = "casework.reminders.tasks.scan_reminders"
    try:
        server.start()
        worker.start()
        assert probe.send_task("casework.accounts.tasks.ping", args=["up"]).get(timeout=30)
        # Tasks are acknowledged late, after their result is stored: stop the broker once the
        # ping is acknowledged, so the outage finds the worker idle rather than mid-acknowledgement.
        wait_for(
            lambda: server.unacknowledged() == 0,
            timeout=30,
            what="the worker to acknowledge the ping",
        )

        server.stop()
        # Usually refused at once; a publish kombu accepts into a dead connection is lost with
        # the broker, which is the case this test is about either way.
        with contextlib.suppress(OperationalError, ConnectionError, OSError):
            probe.send_task(scan, retry=False)
        time.sleep(3)
        # Only what a force's contact request makes at once, with the request itself.
        made_at_once = Counter(Reminder.objects.values_list("kind", flat=True))
        assert made_at_once == Counter({K.CONTACT_REQUEST: cases}), "a scan ran meanwhile"

        server.start()
        wait_for(worker.answers, timeout=120, what="the worker to reconnect to the broker")
        result = probe.send_task(scan).get(timeout=120)
        created = {kind: r["created"] for kind, r in result.items() if r["created"]}
        assert created == dict(
            Counter({kind: count * cases for kind, count in PER_CASE.items()}) - made_at_once
        )
        assert_each_reminder_once(cases)

        # A scan delivered late, or twice, changes nothing.
        probe.send_task(scan).get(timeout=120)
        assert_each_reminder_once(cases)
    finally:
        worker.stop()
        server.stop()
        probe.close()


# --- (d) the mail server is down ----------------------------------------------------------------


def test_a_mail_server_outage_retries_the_email_while_other_tasks_run_and_sends_it_once(
    caseworker,
):
    case = CaseFactory(opened_by=caseworker, pseudonym="Wren")
    reminder = Reminder.objects.create(
        organisation=caseworker.organisation,
        kind=K.NO_RECENT_CONTACT,
        case=case,
        assignee=caseworker,
        due_at=timezone.now() - timedelta(hours=1),
        dedup_key=f"test-mail:{case.pk}",
    )
    port = free_port()  # nothing listens here until the sink starts
    queue = private_queue("mail")
    worker = WorkerProcess(
        name="mail",
        queue=queue,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.support.worker_settings",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
        },
        own_process_group=True,
    )
    sink = SmtpSink(port)
    try:
        worker.start()
        email = email_reminder.apply_async(args=[str(reminder.pk)], queue=queue)
        wait_for(lambda: email.state == "RETRY", timeout=60, what="the email task to retry")

        # The worker is not stuck behind the email: other work goes through meanwhile.
        for n in range(3):
            answer = ping.apply_async(args=[f"during the outage {n}"], queue=queue)
            assert answer.get(timeout=30)["echo"] == f"during the outage {n}"
        reminder.refresh_from_db()
        assert reminder.emailed_at is None

        sink.start()
        # Backoff with jitter: the next attempt comes within 30 s, or the one after within 60.
        assert email.get(timeout=150) is True
        assert len(sink.messages) == 1
        assert "Casework reminder" in sink.messages[0]
        assert case.reference in sink.messages[0]
        assert "Wren" not in sink.messages[0]
        reminder.refresh_from_db()
        assert reminder.emailed_at is not None

        again = email_reminder.apply_async(args=[str(reminder.pk)], queue=queue)
        assert again.get(timeout=30) is False
        assert len(sink.messages) == 1
    finally:
        worker.stop()
        sink.stop()
        purge(queue)


# --- (e) a share ends while its email waits for the mail server --------------------------------


def test_an_email_about_a_share_that_ends_during_a_mail_outage_is_never_sent(caseworker):
    force = PoliceForceFactory()
    officer = PoliceLiaisonFactory(organisation=force)
    case = CaseFactory(opened_by=caseworker, pseudonym="Wren")
    share = SharedCaseFactory(case=case, police_force=force)
    reminder = Reminder.objects.create(
        organisation=force,
        kind=K.POLICE_UPDATE_OVERDUE,
        case=case,
        shared_case=share,
        assignee=officer,
        due_at=timezone.now() - timedelta(hours=1),
        dedup_key=f"test-police-mail:{share.pk}",
    )
    port = free_port()
    queue = private_queue("police-mail")
    worker = WorkerProcess(
        name="police-mail",
        queue=queue,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.support.worker_settings",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
        },
        own_process_group=True,
    )
    sink = SmtpSink(port)
    try:
        worker.start()
        email = email_reminder.apply_async(args=[str(reminder.pk)], queue=queue)
        wait_for(lambda: email.state == "RETRY", timeout=60, what="the email task to retry")

        # The client withdraws consent while the email waits: the share ends.
        ConsentDecisionFactory(
            case=case,
            recorded_by=caseworker,
            scope="share_with_police",
            granted=False,
            police_force=force,
        )
        sink.start()
        # The next attempt checks the share again, sends nothing and is not retried.
        assert email.get(timeout=150) is False
        assert email.state == "SUCCESS"
        time.sleep(2)
        assert sink.messages == []
        reminder.refresh_from_db()
        assert reminder.emailed_at is None
    finally:
        worker.stop()
        sink.stop()
        purge(queue)


# --- (f) a case that closes while a worker is sending a message to its client -------------------


def _message_due_now(caseworker) -> OutboundMessage:
    case = CaseFactory(opened_by=caseworker, pseudonym="Wren", reachable=True)
    return message_plan(
        case=case,
        author=caseworker,
        purpose="appointment",
        channel="text",
        body="See you at the drop-in on Tuesday.",
        send_after=timezone.now() - timedelta(minutes=1),
    )


def _close(case, caseworker) -> None:
    case_transition(
        case=Case.objects.get(pk=case.pk),
        actor=caseworker,
        lifecycle="support",
        to="closed",
        reason="Support completed.",
        closure_reason="support_completed",
    )


def test_a_message_claimed_before_its_case_closed_is_not_sent_by_the_worker(
    celery_worker_process, caseworker
):
    message = _message_due_now(caseworker)
    assert message_claim(message.pk) is not None  # claimed just before the case closed
    _close(message.case, caseworker)

    assert send_message.delay(str(message.pk)).get(timeout=60) == "cancelled"
    message.refresh_from_db()
    assert (message.status, message.sent_at) == ("cancelled", None)
    assert not GatewayDelivery.objects.filter(message=message).exists()


def test_a_case_closing_during_a_hand_over_waits_for_it_and_the_message_went_before(
    tmp_path, caseworker
):
    message = _message_due_now(caseworker)
    queue = private_queue("closing")
    marker = tmp_path / "handing-over"
    worker = WorkerProcess(
        concurrency=1,
        name="closing",
        queue=queue,
        env={
            "MESSAGE_GATEWAY": "tests.support.gateways.SlowGateway",
            "SLOW_GATEWAY_MARKER": str(marker),
            "SLOW_GATEWAY_SECONDS": "4",
        },
        own_process_group=True,
    )
    try:
        worker.start()
        sending = send_message.apply_async(args=[str(message.pk)], queue=queue)
        wait_for(marker.exists, timeout=60, what="the worker to start handing the message over")

        _close(message.case, caseworker)
        # The closure could only commit once the hand-over was recorded.
        assert GatewayDelivery.objects.filter(message=message).exists()

        assert sending.get(timeout=60) == "sent"
        message.refresh_from_db()
        case = Case.objects.get(pk=message.case_id)
        assert (message.status, case.support_status) == ("sent", "closed")
        assert GatewayDelivery.objects.get(message=message).accepted_at <= case.closed_at
    finally:
        worker.stop()
        purge(queue)
