"""Working reminders: a snoozed reminder reopens when its time passes, a completed one stays done
while its reason lasts, and only its holder or a supervisor completes it."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from casework.reminders.choices import ReminderStatus
from casework.reminders.models import Reminder

from ...conftest import client_for
from ...factories import UserFactory
from .world import MINUTE, REMINDERS, START, K, active, listed, open_case, scan, status_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminder(clock, caseworker) -> Reminder:
    """An open no-contact reminder of the caseworker, due 10 days after START."""
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=10, hours=1))
    [reminder] = active(K.NO_RECENT_CONTACT, case)
    return reminder


def test_a_snoozed_reminder_reopens_when_its_time_passes(clock, caseworker, reminder):
    now = START + timedelta(days=10, hours=1)
    until = now + timedelta(days=2)
    response = client_for(caseworker).post(
        f"{REMINDERS}{reminder.pk}/snooze/",
        {"until": until.isoformat(), "reason": "Client is in hospital until Thursday."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "snoozed"
    assert datetime.fromisoformat(response.json()["snoozed_until"]) == until

    scan(clock, now + timedelta(days=1))
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SNOOZED
    assert reminder.snoozed_until == until

    scan(clock, until + MINUTE)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.OPEN
    assert reminder.snoozed_until is None
    [row] = listed(caseworker, status="open")
    assert row["id"] == str(reminder.pk)


def test_snoozing_into_the_past_is_refused(caseworker, reminder):
    response = client_for(caseworker).post(
        f"{REMINDERS}{reminder.pk}/snooze/",
        {"until": (timezone.now() - timedelta(hours=1)).isoformat(), "reason": "Oops."},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "until" in response.json()["fields"]
    assert status_of(reminder) == ReminderStatus.OPEN


def test_completing_someone_elses_reminder_is_not_found(caseworker, reminder, charity):
    colleague = UserFactory(organisation=charity)
    response = client_for(colleague).post(f"{REMINDERS}{reminder.pk}/complete/")
    assert response.status_code == 404
    assert status_of(reminder) == ReminderStatus.OPEN


def test_completing_twice_is_a_conflict(caseworker, reminder):
    api = client_for(caseworker)
    first = api.post(f"{REMINDERS}{reminder.pk}/complete/")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "done"
    second = api.post(f"{REMINDERS}{reminder.pk}/complete/")
    assert second.status_code == 409
    assert second.json()["code"] == "reminder_closed"
    reminder.refresh_from_db()
    assert reminder.completed_by == caseworker


def test_a_supervisor_may_complete_a_caseworkers_reminder(caseworker, supervisor, reminder):
    response = client_for(supervisor).post(f"{REMINDERS}{reminder.pk}/complete/")
    assert response.status_code == 200, response.json()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.completed_by) == (ReminderStatus.DONE, supervisor)


def test_a_completed_reminder_stays_done_while_its_reason_lasts(clock, caseworker, reminder):
    client_for(caseworker).post(f"{REMINDERS}{reminder.pk}/complete/")
    scan(clock, START + timedelta(days=11))
    assert status_of(reminder) == ReminderStatus.DONE
    assert Reminder.objects.filter(kind=K.NO_RECENT_CONTACT).count() == 1
