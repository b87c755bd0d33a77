"""A message is handed over once and only once, whatever the worker sending it went through."""

from datetime import timedelta

import pytest
from django.conf import settings

from casework.cases.models import ContactLogEntry
from casework.reminders.gateway import gateway
from casework.reminders.messages import message_claim, message_deliver, recover_stuck

from .world import START, deliveries, planned, route, send

pytestmark = pytest.mark.django_db


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
