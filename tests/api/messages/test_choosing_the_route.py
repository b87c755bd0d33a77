"""The route is chosen when the message is sent, not when it was planned: the preferred one that
is current, working and safe for the channel, within the client's safe times."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from casework.cases.models import ContactLogEntry
from casework.clients.services import contact_method_retire, contact_method_update
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.models import GatewayDelivery, Reminder
from casework.reminders.scan import run_scan

from ...conftest import client_for
from .world import (
    LONDON,
    START,
    WEEKDAYS_10_TO_4,
    deliveries,
    fail_route,
    messages_url,
    planned,
    route,
    send,
)

pytestmark = pytest.mark.django_db


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
