"""A police contact request left unanswered goes to the charity's supervisors after its response
time: two working days by default (weekends and bank holidays of England and Wales do not count),
the charity's own setting otherwise, four hours when urgent. An answer ends the reminders, and a
request expires, unanswered, at the end of its window."""

from datetime import timedelta

import pytest

from casework.audit.models import AuditEvent
from casework.contact_requests.models import ContactRequest
from casework.contact_requests.services import (
    contact_request_answer,
    contact_request_create,
    contact_requests_expire,
)
from casework.reminders.choices import ReminderStatus

from ...conftest import client_for
from ...editing import edit
from ...factories import PoliceLiaisonFactory, SharedCaseFactory, SupervisorFactory
from .world import MINUTE, POLICY, START, K, active, at, open_case, scan, status_of

pytestmark = pytest.mark.django_db


def request_on(share, officer, *, urgency="routine", until=timedelta(days=14)):
    return contact_request_create(
        shared_case=share,
        requested_by=officer,
        purpose="take_statement",
        explanation="A statement about the assault.",
        urgency=urgency,
        preferred_contact="phone_call",
        window_from=START,
        window_until=START + until,
    )


@pytest.fixture
def shared(caseworker, supervisor, force):
    """An anonymous share of the caseworker's case, an officer of the force, and a second
    supervisor of the charity."""
    case = open_case(caseworker)
    share = SharedCaseFactory(case=case, police_force=force, level="anonymous")
    return (
        share,
        PoliceLiaisonFactory(organisation=force),
        SupervisorFactory(organisation=caseworker.organisation),
    )


def test_a_request_left_unanswered_two_working_days_goes_to_every_supervisor(
    clock, caseworker, supervisor, shared
):
    share, officer, second = shared
    request = request_on(share, officer)  # Monday 2 March 2026, 10:00
    deadline = at(2026, 3, 4, 10)  # Wednesday, 10:00
    assert request.respond_by == deadline
    scan(clock, deadline - MINUTE)
    assert [r.assignee for r in active(K.CONTACT_REQUEST)] == [caseworker]
    assert active(K.CONTACT_REQUEST_OVERDUE) == []

    scan(clock, deadline + MINUTE)
    overdue = active(K.CONTACT_REQUEST_OVERDUE)
    assert sorted(r.assignee_id for r in overdue) == sorted([supervisor.pk, second.pk])
    assert {r.due_at for r in overdue} == {deadline}
    assert {r.detail["contact_request"] for r in overdue} == {str(request.pk)}
    # The supervisor sees it in their reminders.
    listed = client_for(supervisor).get("/api/v1/reminders/?kind=contact_request_overdue")
    assert {row["kind"] for row in listed.json()["results"]} == {"contact_request_overdue"}

    # The answer ends every reminder about the request, and the next scan agrees.
    clock.move_to(deadline + timedelta(hours=1))
    contact_request_answer(contact_request=request, answered_by=caseworker, outcome="declined")
    scan(clock, deadline + timedelta(hours=2))
    assert active(K.CONTACT_REQUEST_OVERDUE) == active(K.CONTACT_REQUEST) == []
    assert {status_of(r) for r in overdue} == {ReminderStatus.CANCELLED}


def test_bank_holidays_and_weekends_do_not_count(clock, caseworker, supervisor, shared):
    share, officer, _ = shared
    clock.move_to(at(2026, 4, 2, 10))  # Thursday before Good Friday, British Summer Time
    request = request_on(share, officer, until=timedelta(days=60))
    # Good Friday and Easter Monday are bank holidays: Tuesday and Wednesday count.
    assert request.respond_by == at(2026, 4, 8, 10)
    scan(clock, at(2026, 4, 8, 10) - MINUTE)
    assert active(K.CONTACT_REQUEST_OVERDUE) == []
    scan(clock, at(2026, 4, 8, 10) + MINUTE)
    assert {r.assignee for r in active(K.CONTACT_REQUEST_OVERDUE)} >= {supervisor}


def test_an_urgent_request_escalates_after_four_hours(clock, caseworker, supervisor, shared):
    share, officer, second = shared
    request = request_on(share, officer, urgency="urgent")
    assert request.respond_by == START + timedelta(hours=4)
    # The supervisors heard of it at once; the escalation is a reminder of its own.
    assert {r.assignee for r in active(K.CONTACT_REQUEST)} == {caseworker, supervisor, second}
    scan(clock, START + timedelta(hours=4) - MINUTE)
    assert active(K.CONTACT_REQUEST_OVERDUE) == []
    scan(clock, START + timedelta(hours=4) + MINUTE)
    assert len(active(K.CONTACT_REQUEST_OVERDUE)) == 2


def test_the_charity_sets_its_own_response_time(clock, caseworker, supervisor, shared):
    share, officer, _ = shared
    response = edit(client_for(supervisor), POLICY, {"contact_request_response_working_days": 5})
    assert response.status_code == 200, response.json()
    assert response.json()["contact_request_response_working_days"] == 5
    request = request_on(share, officer)
    assert request.respond_by == at(2026, 3, 9, 10)  # the next Monday


def test_a_request_expires_unanswered_at_the_end_of_its_window(
    clock, caseworker, supervisor, shared
):
    share, officer, _ = shared
    request = request_on(share, officer, until=timedelta(days=1))
    answered = request_on(share, officer, until=timedelta(days=1))
    contact_request_answer(contact_request=answered, answered_by=caseworker, outcome="declined")
    clock.move_to(START + timedelta(days=1) - MINUTE)
    assert contact_requests_expire() == 0
    clock.move_to(START + timedelta(days=1))
    assert contact_requests_expire() == 1
    assert contact_requests_expire() == 0  # a second run changes nothing
    request.refresh_from_db()
    answered.refresh_from_db()
    assert (request.status, request.closed_at) == ("expired", START + timedelta(days=1))
    assert answered.status == "declined"
    assert AuditEvent.objects.filter(action="contact_request.expire").count() == 1
    scan(clock, START + timedelta(days=1) + MINUTE)
    assert active(K.CONTACT_REQUEST) == []
    assert ContactRequest.objects.filter(status="open").count() == 0
