"""Discreet by proof: a whole journey with canary values (a name, a pseudonym, a phone number, an
email address, a postal address and note text), through the API, a real Celery worker and a
real mail server, leaves none of them in the application's logs, the worker's log, the emails
sent to staff, or the Celery messages and results in Redis.

Messages to the client themselves are the one place the client's words and address belong; the
journey sends them through the logging gateway, which records only that they went."""

import logging
import os
import time
from datetime import timedelta

import pytest
import redis
from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from casework.reminders.choices import ReminderKind
from casework.reminders.models import OutboundMessage, Reminder, ReminderPreference
from casework.reminders.tasks import email_reminder, send_due_messages

from ..celery_worker import WorkerProcess
from ..conftest import client_for
from ..factories import (
    OrganisationFactory,
    PoliceForceFactory,
    PoliceLiaisonFactory,
    SupervisorFactory,
    UserFactory,
)
from ..support.smtp_sink import SmtpSink, free_port

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PSEUDONYM = "Quenby Ashdown"
LEGAL_NAME = "Perpetua Velliers-Okonkwo"
PHONE = "07700 900913"
PHONE_FORMS = ("07700900913", "+447700900913", "7700900913", "07700 900913")
EMAIL = "quenby.canary@example.net"
ADDRESS = "14 Larkspur Mews, Chapeltown"
NOTE = "Canary note: she sleeps at the Vireo hostel on Tuesdays"
CANARIES = (PSEUDONYM, LEGAL_NAME, *PHONE_FORMS, EMAIL, ADDRESS, NOTE, "Larkspur", "Vireo")


class Captured(logging.Handler):
    """Every log line of this process, formatted as the service formats them."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        from casework.logging import JsonFormatter, RequestIdFilter

        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs():
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def published():
    """The body and headers of every Celery message this process publishes."""
    messages: list[str] = []

    def keep(sender=None, body=None, headers=None, **kwargs):
        messages.append(repr(body) + repr(headers))

    before_task_publish.connect(keep, weak=False)
    yield messages
    before_task_publish.disconnect(keep)


@pytest.fixture
def mail_worker():
    """A worker of its own, on a queue of its own (every task it starts goes there too), that
    sends email to a mail server this test reads."""
    port = free_port()
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-discreet-{os.getpid()}"
    worker = WorkerProcess(
        name="discreet",
        queue=queue,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.support.worker_settings",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "TEST_CELERY_QUEUE": queue,
            "MESSAGE_GATEWAY": "logging",
        },
        own_process_group=True,
    )
    sink = SmtpSink(port)
    sink.start()
    worker.log_path.unlink(missing_ok=True)
    worker.start()
    yield worker, queue, sink
    worker.stop()
    sink.stop()


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


def redis_contents() -> str:
    """Every key and value in the test broker's and result backend's databases."""
    dumped = []
    for url in {settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND}:
        connection = redis.Redis.from_url(url)
        for key in connection.scan_iter():
            kind = connection.type(key)
            if kind == b"string":
                value = connection.get(key)
            elif kind == b"list":
                value = connection.lrange(key, 0, -1)
            elif kind == b"hash":
                value = connection.hgetall(key)
            elif kind == b"set":
                value = connection.smembers(key)
            elif kind == b"zset":
                value = connection.zrange(key, 0, -1)
            else:
                value = b""
            dumped.append(repr(key) + repr(value))
    return "\n".join(dumped)


def assert_no_canary(where: str, text: str) -> None:
    lowered = text.lower()
    for canary in CANARIES:
        assert canary.lower() not in lowered, f"{canary!r} found in {where}"


def journey(caseworker, supervisor, officer, force) -> dict:
    """Referral → case → contact routes → contact log → note → consent and a police share →
    a police read → a look-up and a search → a message planned to the client."""
    api = client_for(caseworker)
    referral = api.post(
        "/api/v1/referrals/",
        {
            "source": "outreach",
            "summary": NOTE,
            "person_pseudonym": PSEUDONYM,
            "contact_kind": "mobile",
            "contact_value": PHONE,
            "contact_safe_to_text": True,
            "offence_types": ["robbery"],
        },
        format="json",
    )
    assert referral.status_code == 201, referral.json()
    accepted = api.post(
        f"/api/v1/referrals/{referral.json()['id']}/accept/",
        {"new_client": {"pseudonym": PSEUDONYM, "legal_name": LEGAL_NAME}},
        format="json",
    )
    assert accepted.status_code == 201, accepted.json()
    case = accepted.json()
    client_id = case["client"]["id"]
    for kind, value in (("email", EMAIL), ("postal_address", ADDRESS)):
        added = api.post(
            f"/api/v1/clients/{client_id}/contact-methods/",
            {"kind": kind, "value": value, "safe_to_text": True},
            format="json",
        )
        assert added.status_code == 201, added.json()
    logged = api.post(
        f"/api/v1/cases/{case['id']}/contacts/",
        {
            "occurred_at": timezone.now().isoformat(),
            "channel": "phone_call",
            "direction": "outbound",
            "outcome": "reached",
            "note": NOTE,
        },
        format="json",
    )
    assert logged.status_code == 201, logged.json()
    noted = api.post(
        f"/api/v1/cases/{case['id']}/notes/",
        {"body": NOTE, "visibility": "internal"},
        format="json",
    )
    assert noted.status_code == 201, noted.json()
    for scope, force_of in (("store_records", None), ("share_with_police", force)):
        body = {"scope": scope, "granted": True, "method": "verbal", "note": NOTE}
        if force_of is not None:
            body["police_force"] = str(force_of.pk)
        assert (
            api.post(f"/api/v1/cases/{case['id']}/consents/", body, format="json").status_code
            == 201
        )
    police = client_for(officer)
    [share] = police.get("/api/v1/shared-cases/").json()["results"]
    assert police.get(f"/api/v1/shared-cases/{share['id']}/").status_code == 200
    assert api.post("/api/v1/clients/lookup/", {"phone": PHONE}, format="json").status_code == 200
    assert api.get("/api/v1/cases/", {"q": PSEUDONYM}).status_code == 200
    assert api.get(f"/api/v1/clients/{client_id}/").status_code == 200
    # A refused request with the canary in it is a security event, never a record of the value.
    assert client_for(supervisor).get(f"/api/v1/audit-events/?action={NOTE}").status_code == 200
    message = api.post(
        f"/api/v1/cases/{case['id']}/messages/",
        {
            "purpose": "appointment",
            "channel": "text",
            "body": NOTE,
            "send_after": timezone.now().isoformat(),
        },
        format="json",
    )
    assert message.status_code == 201, message.json()
    return {"case_id": case["id"], "message_id": message.json()["id"]}


def test_a_whole_journey_leaves_no_client_data_in_logs_mail_or_celery(
    captured_logs, published, mail_worker
):
    worker, queue, sink = mail_worker
    charity = OrganisationFactory()
    caseworker = UserFactory(organisation=charity, email="worker@example.org")
    supervisor = SupervisorFactory(organisation=charity)
    force = PoliceForceFactory()
    officer = PoliceLiaisonFactory(organisation=force)
    ids = journey(caseworker, supervisor, officer, force)

    # The worker sends the planned message, and emails the caseworker a reminder about the case.
    sent = send_due_messages.apply_async(queue=queue)
    assert sent.get(timeout=60) >= 1
    wait_for(
        lambda: OutboundMessage.objects.get(pk=ids["message_id"]).status == "sent",
        timeout=60,
        what="the message to go",
    )
    ReminderPreference.objects.create(user=caseworker, email_each=True)
    reminder = Reminder.objects.create(
        organisation=charity,
        kind=ReminderKind.NO_RECENT_CONTACT,
        case_id=ids["case_id"],
        assignee=caseworker,
        due_at=timezone.now() - timedelta(minutes=5),
        dedup_key=f"discreet:{ids['case_id']}",
    )
    assert email_reminder.apply_async(args=[str(reminder.pk)], queue=queue).get(timeout=60)
    wait_for(lambda: sink.messages, timeout=30, what="the reminder email")

    assert captured_logs, "the journey logged nothing at all: the capture is broken"
    assert_no_canary("the application's logs", "\n".join(captured_logs))
    worker_log = worker.log_path.read_text()
    assert "send_message" in worker_log
    assert_no_canary("the worker's log", worker_log)
    assert_no_canary("the emails sent", "\n".join(sink.messages))
    assert published, "no Celery message was published: the capture is broken"
    assert_no_canary("the Celery messages published", "\n".join(published))
    assert_no_canary("Redis (broker and results)", redis_contents())
