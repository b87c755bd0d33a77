"""No recent contact: an active client nobody has reached for the window is flagged; reaching
them cancels it and an unanswered call does not."""

from datetime import timedelta

import pytest

from casework.reminders.choices import ReminderStatus

from .world import MINUTE, START, K, active, log, open_case, scan, status_of

pytestmark = pytest.mark.django_db


def test_an_active_client_nobody_has_reached_is_flagged_when_the_window_passes(clock, caseworker):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=10) - MINUTE)
    assert active(K.NO_RECENT_CONTACT, case) == []
    scan(clock, START + timedelta(days=10) + MINUTE)
    [reminder] = active(K.NO_RECENT_CONTACT, case)
    assert reminder.assignee == caseworker
    assert reminder.due_at == START + timedelta(days=10)


def test_a_case_not_in_active_support_is_not_flagged_for_silence(clock, caseworker):
    referred = open_case(caseworker, active=False)
    scan(clock, START + timedelta(days=30))
    assert active(K.NO_RECENT_CONTACT, referred) == []


def test_reaching_the_client_cancels_the_reminder_and_an_unanswered_call_does_not(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=11))
    [reminder] = active(K.NO_RECENT_CONTACT, case)

    clock.move_to(START + timedelta(days=11, hours=1))
    log(case, "no_answer")
    scan(clock, START + timedelta(days=11, hours=2))
    assert status_of(reminder) == ReminderStatus.OPEN

    reached_at = START + timedelta(days=11, hours=3)
    clock.move_to(reached_at)
    log(case, "reached")
    scan(clock, reached_at + timedelta(minutes=5))
    assert status_of(reminder) == ReminderStatus.CANCELLED
    assert active(K.NO_RECENT_CONTACT, case) == []

    scan(clock, reached_at + timedelta(days=10) + MINUTE)
    [next_one] = active(K.NO_RECENT_CONTACT, case)
    assert next_one.due_at == reached_at + timedelta(days=10)
