"""A police request for records still waiting after the charity's response time (ten working
days unless the charity sets its own) becomes a reminder for the case's person, until it is
decided."""

from datetime import UTC, datetime, timedelta

import pytest

from casework.reminders.choices import ReminderStatus

from ...conftest import client_for
from ...editing import edit
from ...factories import SharedCaseFactory
from .world import MINUTE, POLICY, START, K, active, open_case, scan, status_of

pytestmark = pytest.mark.django_db

ASKED = {
    "material": "The notes of the night.",
    "line_of_enquiry": "Where the suspect went after 11pm.",
    "necessity": "No other record of the suspect's words.",
    "proportionality": "The night's notes only.",
}
# Monday 2 March 2026: ten working days on is Monday 16 March; overdue from 09:00 on the 17th.
OVERDUE_FROM = datetime(2026, 3, 17, 9, 0, tzinfo=UTC)


def ask(liaison, share) -> dict:
    response = client_for(liaison).post(
        f"/api/v1/shared-cases/{share.id}/records-requests/", ASKED, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_request_waiting_past_the_response_time_reminds_the_cases_person_until_decided(
    clock, caseworker, supervisor, force, liaisons
):
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force)
    asked = ask(liaisons[0], share)

    scan(clock, datetime(2026, 3, 16, 23, 59, tzinfo=UTC))  # still the day it is due
    assert active(K.RECORDS_REQUEST_OVERDUE) == []
    scan(clock, OVERDUE_FROM + MINUTE)
    [reminder] = active(K.RECORDS_REQUEST_OVERDUE, case)
    assert (reminder.assignee_id, reminder.due_at) == (caseworker.pk, OVERDUE_FROM)
    assert reminder.detail == {"records_request": asked["id"], "respond_by": "2026-03-16"}

    decided = client_for(supervisor).post(
        f"/api/v1/cases/{case.id}/records-requests/{asked['id']}/decide/",
        {"decision": "refuse", "reason": "Not relevant.", "reason_for_police": "Refused."},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    scan(clock, OVERDUE_FROM + timedelta(hours=1))
    assert status_of(reminder) == ReminderStatus.CANCELLED


def test_the_charitys_own_response_time_decides_when_a_request_is_overdue(
    clock, caseworker, supervisor, force, liaisons
):
    response = edit(client_for(supervisor), POLICY, {"records_request_working_days": 2})
    assert response.status_code == 200, response.json()
    assert response.json()["records_request_working_days"] == 2
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force)
    ask(liaisons[0], share)
    # Two working days from Monday is Wednesday; overdue from Thursday morning.
    scan(clock, START + timedelta(days=2, hours=12))
    assert active(K.RECORDS_REQUEST_OVERDUE) == []
    scan(clock, datetime(2026, 3, 5, 9, 1, tzinfo=UTC))
    assert len(active(K.RECORDS_REQUEST_OVERDUE, case)) == 1
