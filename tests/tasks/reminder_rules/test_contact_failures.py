"""Repeated failed attempts ask every active supervisor to try the client's other routes, and
reaching the client cancels the escalation."""

from datetime import datetime, timedelta

import pytest

from casework.reminders.choices import ReminderStatus
from casework.reminders.models import Reminder

from .world import MINUTE, START, K, active, fail, listed, log, scan, status_of

pytestmark = pytest.mark.django_db


def test_three_failed_attempts_in_a_row_ask_every_active_supervisor_to_try_other_routes(
    clock, escalation, caseworker
):
    case = escalation["case"]
    last = fail(clock, case, 3, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    reminders = active(K.CONTACT_FAILURES, case)
    assert sorted(r.assignee_id for r in reminders) == sorted(
        s.pk for s in escalation["supervisors"]
    )
    assert all(r.organisation == caseworker.organisation for r in reminders)
    assert not active(K.CONTACT_FAILURES, assignee=caseworker)

    supervisor = escalation["supervisors"][0]
    [row] = listed(supervisor, kind="contact_failures", mine="true")
    assert row["case"]["reference"] == case.reference
    assert {route["id"] for route in row["other_routes"]} == {
        str(pk) for pk in escalation["routes"]
    }
    assert {route["kind"] for route in row["other_routes"]} == {"third_party", "outreach_location"}
    assert "Sister, Jo" in {route["third_party_name"] for route in row["other_routes"]}
    assert datetime.fromisoformat(row["last_successful_contact"]) == escalation["reached_at"]

    # Scanning again while the failures stand changes nothing.
    scan(clock, last + timedelta(hours=2))
    assert Reminder.objects.filter(kind=K.CONTACT_FAILURES).count() == 2


def test_two_failures_are_not_an_escalation_and_a_success_starts_the_count_again(clock, escalation):
    case = escalation["case"]
    last = fail(clock, case, 2, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    assert active(K.CONTACT_FAILURES, case) == []

    clock.move_to(last + timedelta(hours=1))
    log(case, "reached", direction="inbound")
    last = fail(clock, case, 2, last + timedelta(hours=2))
    scan(clock, last + MINUTE)
    assert active(K.CONTACT_FAILURES, case) == []

    last = fail(clock, case, 1, last + timedelta(hours=1))
    scan(clock, last + MINUTE)
    assert len(active(K.CONTACT_FAILURES, case)) == 2


def test_reaching_the_client_after_an_escalation_cancels_it(clock, escalation):
    case = escalation["case"]
    last = fail(clock, case, 3, START + timedelta(days=2))
    scan(clock, last + MINUTE)
    escalated = active(K.CONTACT_FAILURES, case)
    assert len(escalated) == 2

    clock.move_to(last + timedelta(hours=1))
    log(case, "met_in_person")
    scan(clock, last + timedelta(hours=2))
    assert [status_of(r) for r in escalated] == [ReminderStatus.CANCELLED] * 2
    assert active(K.CONTACT_FAILURES, case) == []
