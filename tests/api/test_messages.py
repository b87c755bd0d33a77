"""Messages to clients: planned through the API with what to say and when, addressed only when
they are sent, from the routes that are current and safe at that moment.

Sending is domain logic here, driven through the ``send_message`` task body (run in this process)
or ``message_claim`` / ``message_deliver``; what a real worker adds is in
tests/tasks/test_reminder_worker.py. The provider is a test gateway that accepts everything
(tests/support/gateways.py), so that what is proved about routes does not hang on the default
gateway, which has tests of its own at the end. The clock starts on Monday 2 March 2026 at
10:00 GMT."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.models import Case, ContactLogEntry
from casework.cases.services.cases import case_transition
from casework.cases.services.contacts import contact_log
from casework.clients.models import ContactMethod
from casework.clients.services import contact_method_retire, contact_method_update
from casework.privacy.anonymise import anonymise_case, anonymise_client
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.gateway import gateway
from casework.reminders.messages import message_claim, message_deliver, recover_stuck
from casework.reminders.models import GatewayDelivery, OutboundMessage, Reminder
from casework.reminders.scan import run_scan
from casework.reminders.tasks import send_message

from ..conftest import client_for
from ..factories import CLIENT_MOBILE, CaseFactory, ContactMethodFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 10, tzinfo=LONDON)  # Monday 2 March 2026, 10:00 GMT
WEEKDAYS_10_TO_4 = [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "10:00", "to": "16:00"}]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def provider(settings):
    settings.MESSAGE_GATEWAY = "tests.support.gateways.RecordingGateway"
    return settings


# --- set-up -----------------------------------------------------------------------------------


@pytest.fixture
def case(caseworker) -> Case:
    return CaseFactory(opened_by=caseworker, pseudonym="Wren")


def route(case: Case, kind: str = "mobile", value: str = CLIENT_MOBILE, **options):
    return ContactMethodFactory(client=case.client, kind=kind, value=value, **options)


def messages_url(case: Case, tail: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/messages/{tail}"


def plan(case: Case, *, user=None, **overrides):
    body = {
        "purpose": "appointment",
        "channel": "text",
        "body": "Your appointment is on Thursday at 11.",
        "send_after": (START + timedelta(hours=1)).isoformat(),
        **overrides,
    }
    return client_for(user or case.created_by).post(messages_url(case), body, format="json")


def planned(case: Case, **overrides) -> OutboundMessage:
    response = plan(case, **overrides)
    assert response.status_code == 201, response.json()
    return OutboundMessage.objects.get(pk=response.json()["id"])


def send(message: OutboundMessage) -> OutboundMessage:
    """What the worker does for a due message, run here."""
    send_message(str(message.pk))
    message.refresh_from_db()
    return message


def deliveries(message: OutboundMessage) -> int:
    return GatewayDelivery.objects.filter(message=message).count()


def fail_route(case: Case, method: ContactMethod, times: int = 1) -> None:
    for _ in range(times):
        contact_log(
            case=case,
            recorded_by=case.created_by,
            occurred_at=timezone.now(),
            channel="phone_call",
            direction="outbound",
            outcome="number_unavailable",
            contact_method=method,
        )


# --- planning ---------------------------------------------------------------------------------


def test_planning_records_the_message_as_planned_with_no_route(case, caseworker):
    route(case, preferred=True, safe_to_text=True)
    response = plan(case)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "planned"
    assert body["contact_method"] is None
    assert body["attempts"] == 0
    assert body["sent_at"] is None
    assert body["body"] == "Your appointment is on Thursday at 11."
    message = OutboundMessage.objects.get(pk=body["id"])
    assert (message.status, message.contact_method_id, message.created_by) == (
        "planned",
        None,
        caseworker,
    )
    assert deliveries(message) == 0
    listed = client_for(caseworker).get(messages_url(case)).json()["results"]
    assert [m["id"] for m in listed] == [body["id"]]


def test_a_closed_case_refuses_new_messages(case, caseworker):
    case_transition(
        case=case,
        actor=caseworker,
        lifecycle="support",
        to="closed",
        reason="Support completed.",
        closure_reason="support_completed",
    )
    response = plan(case)
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("channel", ["fax", "whatsapp", "", None])
def test_a_channel_the_service_cannot_send_by_is_refused(case, channel):
    response = plan(case, channel=channel)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "channel" in response.json()["fields"]
    assert not OutboundMessage.objects.exists()


def test_another_charity_cannot_see_message_or_cancel(case, other_charity):
    message = planned(case)
    outsider = client_for(SupervisorFactory(organisation=other_charity))
    assert outsider.get(messages_url(case)).status_code == 404
    assert outsider.get(messages_url(case, f"{message.pk}/")).status_code == 404
    assert outsider.post(messages_url(case, f"{message.pk}/cancel/")).status_code == 404
    message.refresh_from_db()
    assert message.status == "planned"


# --- choosing the route when it is sent -------------------------------------------------------


def test_the_route_is_the_preferred_safe_one_at_sending_not_at_planning(clock, case, caseworker):
    first = route(case, preferred=True, safe_to_text=True)
    second = route(case, value="07700 900462", safe_to_text=True)
    message = planned(case)

    clock.move_to(START + timedelta(minutes=30))
    contact_method_update(method=second, updated_by=caseworker, preferred=True)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)

    assert message.status == "sent"
    assert message.contact_method == second
    assert message.attempts == 1
    assert message.sent_at == START + timedelta(hours=1)
    [delivery] = GatewayDelivery.objects.filter(message=message)
    assert delivery.reference == f"recorded:{message.pk}"
    entry = ContactLogEntry.objects.get(case=case)
    assert (entry.direction, entry.outcome, entry.contact_method) == (
        "outbound",
        "message_left",
        second,
    )
    assert entry.contact_method != first
    shown = client_for(caseworker).get(messages_url(case, f"{message.pk}/")).json()
    assert (shown["status"], shown["contact_method"]) == ("sent", str(second.pk))


@pytest.mark.parametrize(
    ("channel", "expected"),
    [("text", "mobile_texts"), ("call", "mobile_voicemail"), ("email", "email_writes")],
)
def test_only_a_route_marked_safe_for_the_channel_carries_it(clock, case, channel, expected):
    routes = {
        # Preferred, but no texts: only voicemail is safe on it.
        "mobile_voicemail": route(case, preferred=True, safe_to_voicemail=True),
        "mobile_texts": route(case, value="07700 900462", safe_to_text=True),
        "email_writes": route(case, kind="email", value="wren@example.net", safe_to_text=True),
        # Nothing marked safe on this landline.
        "landline_unsafe": route(case, kind="landline", value="0113 496 0000"),
    }
    message = planned(case, channel=channel)
    clock.move_to(START + timedelta(hours=1))
    assert send(message).contact_method == routes[expected]


def test_a_route_retired_after_planning_is_not_used(clock, case, caseworker):
    old = route(case, preferred=True, safe_to_text=True)
    other = route(case, value="07700 900462", safe_to_text=True)
    message = planned(case)
    contact_method_retire(method=old, retired_by=caseworker, reason="Phone was taken from her.")
    clock.move_to(START + timedelta(hours=1))
    message = send(message)
    assert (message.status, message.contact_method) == ("sent", other)


def test_failing_and_dead_routes_are_passed_over_for_an_unverified_one(clock, case):
    failing = route(case, preferred=True, safe_to_text=True)
    dead = route(case, value="07700 900462", safe_to_text=True)
    unverified = route(case, value="07700 900463", safe_to_text=True)
    fail_route(case, failing)
    fail_route(case, dead, times=3)
    failing.refresh_from_db()
    dead.refresh_from_db()
    assert (failing.status, failing.preferred, dead.status) == ("failing", True, "dead")
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)
    assert (message.status, message.contact_method) == ("sent", unverified)


@pytest.mark.parametrize(
    ("planned_for", "next_window"),
    [
        # Friday 6 March 17:00 GMT: the next window opens Monday 9 March, 10:00 GMT.
        (datetime(2026, 3, 6, 17, tzinfo=LONDON), datetime(2026, 3, 9, 10, tzinfo=UTC)),
        # Friday 27 March 17:00 GMT: the clocks go forward on Sunday, so Monday 30 March's
        # window opens at 10:00 BST, 09:00 UTC.
        (datetime(2026, 3, 27, 17, tzinfo=LONDON), datetime(2026, 3, 30, 9, tzinfo=UTC)),
    ],
)
def test_outside_the_clients_safe_times_the_message_waits_for_the_next_window(
    clock, case, planned_for, next_window
):
    safe = route(case, preferred=True, safe_to_text=True, safe_times=WEEKDAYS_10_TO_4)
    message = planned(case, send_after=planned_for.isoformat())

    clock.move_to(planned_for)
    message = send(message)
    assert (message.status, message.contact_method, message.attempts) == ("planned", None, 0)
    assert message.send_after == next_window
    assert deliveries(message) == 0

    clock.move_to(next_window - timedelta(minutes=1))
    assert send(message).status == "planned"

    clock.move_to(next_window)
    message = send(message)
    assert (message.status, message.contact_method) == ("sent", safe)
    assert deliveries(message) == 1


def _retired(case, method, caseworker):
    contact_method_retire(method=method, retired_by=caseworker, reason="Number changed.")


def _not_safe(case, method, caseworker):
    contact_method_update(method=method, updated_by=caseworker, safe_to_text=False)


def _dead(case, method, caseworker):
    fail_route(case, method, times=3)


@pytest.mark.parametrize("lose_route", [_retired, _not_safe, _dead])
def test_with_no_route_left_the_message_is_undeliverable_and_the_caseworker_is_told(
    clock, case, caseworker, lose_route
):
    only = route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    lose_route(case, only, caseworker)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)

    assert message.status == "undeliverable"
    assert message.contact_method is None
    assert message.failure_reason
    assert deliveries(message) == 0
    [reminder] = Reminder.objects.filter(kind=ReminderKind.MESSAGE_UNDELIVERABLE)
    assert (reminder.assignee, reminder.case_id, reminder.status) == (caseworker, case.pk, "open")
    rows = client_for(caseworker).get("/api/v1/reminders/", {"kind": "message_undeliverable"})
    assert [r["id"] for r in rows.json()["results"]] == [str(reminder.pk)]

    # Trying again, or a scan, neither repeats nor clears it.
    send(message)
    run_scan(now=timezone.now())
    assert Reminder.objects.filter(kind=ReminderKind.MESSAGE_UNDELIVERABLE).count() == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.OPEN


def test_a_refused_delivery_fails_the_message_and_marks_the_route_failing(clock, case, settings):
    settings.MESSAGE_GATEWAY = "tests.support.gateways.RefusingGateway"
    mobile = route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)

    assert message.status == "failed"
    assert "not in service" in message.failure_reason
    assert deliveries(message) == 0
    mobile.refresh_from_db()
    assert (mobile.status, mobile.consecutive_failures) == ("failing", 1)
    entry = ContactLogEntry.objects.get(case=case)
    assert (entry.direction, entry.outcome, entry.contact_method) == (
        "outbound",
        "number_unavailable",
        mobile,
    )
    # A failed message is settled: sending again neither retries it nor logs another failure.
    send(message)
    assert ContactLogEntry.objects.filter(case=case).count() == 1


# --- once and only once -----------------------------------------------------------------------


def test_sending_twice_hands_the_message_over_once(clock, case):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    send(message)
    send(message)
    assert message_claim(message.pk) is None
    assert message_deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert deliveries(message) == 1
    assert ContactLogEntry.objects.filter(case=case, outcome="message_left").count() == 1


def test_a_message_handed_over_by_a_worker_that_then_died_is_marked_sent_not_sent_again(
    clock, case
):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    sending_at = START + timedelta(hours=1)
    clock.move_to(sending_at)
    claimed = message_claim(message.pk)
    gateway().deliver(claimed)  # handed over; the worker died before recording it as sent

    assert recover_stuck(now=sending_at + timedelta(seconds=30)) == {"sent": 0, "replanned": 0}
    timeout = timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS + 1)
    assert recover_stuck(now=sending_at + timeout) == {"sent": 1, "replanned": 0}
    message = send(message)
    assert (message.status, message.attempts) == ("sent", 1)
    assert deliveries(message) == 1


def test_a_message_stuck_before_the_gateway_saw_it_is_sent_once_after_recovery(clock, case):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    sending_at = START + timedelta(hours=1)
    clock.move_to(sending_at)
    assert message_claim(message.pk) is not None  # the worker died here

    timeout = timedelta(seconds=settings.MESSAGE_SENDING_TIMEOUT_SECONDS + 1)
    clock.move_to(sending_at + timeout)
    assert recover_stuck() == {"sent": 0, "replanned": 1}
    message.refresh_from_db()
    assert (message.status, message.sending_started_at) == ("planned", None)
    message = send(message)
    assert (message.status, message.attempts) == ("sent", 2)
    assert deliveries(message) == 1


# --- cancelling ---------------------------------------------------------------------------------


def test_a_message_can_be_cancelled_only_while_planned(clock, case, caseworker):
    route(case, preferred=True, safe_to_text=True)
    api = client_for(caseworker)
    message = planned(case)
    response = api.post(messages_url(case, f"{message.pk}/cancel/"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    again = api.post(messages_url(case, f"{message.pk}/cancel/"))
    assert again.status_code == 409
    assert again.json()["code"] == "message_not_planned"

    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0

    sent = send(planned(case, send_after=timezone.now().isoformat()))
    assert sent.status == "sent"
    response = client_for(caseworker).post(messages_url(case, f"{sent.pk}/cancel/"))
    assert response.status_code == 409
    sent.refresh_from_db()
    assert sent.status == "sent"


# --- the gateways the application ships ---------------------------------------------------------


@pytest.mark.parametrize("configured", ["logging", "email"])
def test_the_shipped_gateways_hand_a_text_message_over_and_record_it_sent(
    clock, case, provider, configured
):
    """The default gateway records that a text went; the email gateway does the same for a
    channel that is not email."""
    provider.MESSAGE_GATEWAY = configured
    mobile = route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)
    assert (message.status, message.contact_method) == ("sent", mobile)
    [delivery] = GatewayDelivery.objects.filter(message=message)
    assert delivery.reference == f"log:{message.pk}"


@pytest.mark.parametrize(
    ("configured", "channel", "kind", "value", "backend"),
    [
        ("tests.support.gateways.RecordingGateway", "text", "mobile", "07700 900461", "recording"),
        ("email", "email", "email", "wren@example.net", "email"),
    ],
)
def test_the_delivery_records_which_gateway_accepted_the_message(
    clock, case, provider, configured, channel, kind, value, backend
):
    provider.MESSAGE_GATEWAY = configured
    route(case, kind=kind, value=value, preferred=True, safe_to_text=True)
    message = planned(case, channel=channel)
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "sent"
    assert GatewayDelivery.objects.get(message=message).backend == backend


def test_the_email_gateway_sends_an_email_message_once_to_the_address_chosen_at_sending(
    clock, case, provider, mailoutbox
):
    provider.MESSAGE_GATEWAY = "email"
    route(case, kind="email", value="old@example.net", preferred=True, safe_to_text=True)
    message = planned(case, channel="email")
    new = route(case, kind="email", value="Wren@Example.net", preferred=True, safe_to_text=True)
    clock.move_to(START + timedelta(hours=1))
    message = send(message)
    send(message)
    assert (message.status, message.contact_method) == ("sent", new)
    [email] = mailoutbox
    assert email.to == ["wren@example.net"]
    assert email.body == "Your appointment is on Thursday at 11."
    assert email.extra_headers["Message-ID"] == f"<{message.pk}@casework>"
    assert GatewayDelivery.objects.get(message=message).reference == f"email:{message.pk}"


# --- nothing reaches a client after the case closes or the client is erased ---------------------


def close(case: Case, user) -> None:
    response = client_for(user).post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {
            "lifecycle": "support",
            "to": "closed",
            "reason": "Support completed.",
            "closure_reason": "support_completed",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()


def cancellations(case: Case) -> dict[str, tuple]:
    """Message id -> (who, why) of the latest audited cancellation of each message of the case."""
    return {
        event.object_id: (event.actor_label, event.detail.get("reason"))
        for event in AuditEvent.objects.filter(action="message.cancel", case_id=case.pk).order_by(
            "id"
        )
    }


def test_closing_the_case_cancels_its_planned_messages_and_nothing_reappears(
    clock, case, caseworker
):
    route(case, preferred=True, safe_to_text=True)
    sent = send(planned(case, send_after=timezone.now().isoformat()))
    assert sent.status == "sent"
    soon, later = planned(case), planned(case, send_after=(START + timedelta(days=3)).isoformat())

    close(case, caseworker)

    listed = client_for(caseworker).get(messages_url(case)).json()["results"]
    assert {m["id"]: m["status"] for m in listed} == {
        str(sent.pk): "sent",
        str(soon.pk): "cancelled",
        str(later.pk): "cancelled",
    }
    assert cancellations(case) == {
        str(soon.pk): (caseworker.username, "case_closed"),
        str(later.pk): (caseworker.username, "case_closed"),
    }
    # Their times come and go; reopening the case brings none of them back.
    clock.move_to(START + timedelta(days=4))
    assert [send(m).status for m in (soon, later)] == ["cancelled", "cancelled"]
    case_transition(
        case=Case.objects.get(pk=case.pk),
        actor=caseworker,
        lifecycle="support",
        to="active",
        reason="She came back to us.",
    )
    assert [send(m).status for m in (soon, later)] == ["cancelled", "cancelled"]
    assert deliveries(soon) + deliveries(later) == 0
    assert ContactLogEntry.objects.filter(case=case).count() == 1  # the one that went


def test_erasing_the_client_cancels_the_messages_planned_to_them(clock, case, supervisor):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    response = client_for(supervisor).post(
        f"/api/v1/clients/{case.client_id}/erase/",
        {"reason": "She asked by letter for everything to be erased."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert cancellations(case) == {str(message.pk): (supervisor.username, "case_closed")}
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0


def _anonymise_case(case: Case) -> None:
    anonymise_case(case, actor="retention", reason="retention")


def _anonymise_client(case: Case) -> None:
    anonymise_client(case.client, actor="retention", reason="retention")


@pytest.mark.parametrize(
    ("anonymise", "reason"),
    [(_anonymise_case, "case_anonymised"), (_anonymise_client, "client_anonymised")],
)
def test_anonymising_cancels_planned_messages(clock, case, anonymise, reason):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    with transaction.atomic():
        anonymise(case)
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert cancellations(case) == {str(message.pk): ("retention", reason)}
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0
    assert not Reminder.objects.filter(kind=ReminderKind.MESSAGE_UNDELIVERABLE).exists()


def test_a_message_claimed_before_the_case_closed_is_not_handed_over(clock, case, caseworker):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    assert message_claim(message.pk) is not None  # a worker picked it up ...

    close(case, caseworker)  # ... and the case closed before it reached the gateway

    assert message_deliver(message.pk) == "cancelled"
    message.refresh_from_db()
    assert (message.status, message.sent_at) == ("cancelled", None)
    assert deliveries(message) == 0
    assert not ContactLogEntry.objects.filter(case=case).exists()
    assert cancellations(case) == {str(message.pk): ("message sending", "case_closed")}
    assert message_deliver(message.pk) == "cancelled"


def test_a_message_the_gateway_already_took_is_recorded_sent_though_the_case_closed_since(
    clock, case, caseworker
):
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    clock.move_to(START + timedelta(hours=1))
    gateway().deliver(message_claim(message.pk))  # handed over; the worker died before recording
    close(case, caseworker)
    assert message_deliver(message.pk) == "sent"
    assert deliveries(message) == 1


def test_a_message_left_planned_on_a_closed_case_is_cancelled_when_it_falls_due(
    clock, case, caseworker
):
    """A message planned before closing cancelled messages, still planned on a closed case."""
    route(case, preferred=True, safe_to_text=True)
    message = planned(case)
    close(case, caseworker)
    OutboundMessage.objects.filter(pk=message.pk).update(status="planned")
    clock.move_to(START + timedelta(hours=1))
    assert send(message).status == "cancelled"
    assert deliveries(message) == 0
    assert cancellations(case)[str(message.pk)] == ("message sending", "case_closed")
    assert not Reminder.objects.filter(kind=ReminderKind.MESSAGE_UNDELIVERABLE).exists()
