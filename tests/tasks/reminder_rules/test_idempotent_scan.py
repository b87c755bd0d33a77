"""The scan is idempotent: run twice, or killed halfway and run again, it makes each reminder
once."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.contact_requests.services import contact_request_create
from casework.court.services import open_entitlement
from casework.disclosures.services import records_request_make
from casework.reminders.models import Reminder
from casework.sharing.models import SharedCase

from ...factories import (
    ConsentDecisionFactory,
    CourtEventFactory,
    PoliceLiaisonFactory,
    SupervisorFactory,
)
from .world import MINUTE, START, K, at, fail, open_case, scan

pytestmark = pytest.mark.django_db


SCAN_AT = at(2026, 4, 1, 12)  # Wednesday 1 April 2026, 12:00 BST
EXPECTED = Counter(
    {
        K.REVERIFY_CONTACT: 1,
        K.NO_RECENT_CONTACT: 1,
        K.CONTACT_FAILURES: 2,  # one for each supervisor
        K.COURT_DATE: 2,  # seven days before and the working day before
        K.CONSENT_REVIEW: 1,
        K.POLICE_UPDATE_OVERDUE: 1,
        K.VICTIMS_CODE_OVERDUE: 1,
        K.RECORDS_REQUEST_OVERDUE: 1,
        K.CONTACT_REQUEST: 1,  # the caseworker, told at once
        K.CONTACT_REQUEST_OVERDUE: 2,  # unanswered past two working days: each supervisor
    }
)


@pytest.fixture
def everything_due(clock, caseworker, supervisor, charity, force):
    """A case for which every rule has a reminder due at SCAN_AT."""
    SupervisorFactory(organisation=charity)
    liaison = PoliceLiaisonFactory(organisation=force)
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 5))
    ConsentDecisionFactory(case=case, scope="share_with_police", police_force=force)
    # Asked on Monday 2 March: the answer was due on Monday 16 March.
    records_request_make(
        shared_case=SharedCase.objects.get(case=case),
        requested_by=liaison,
        material="The notes of the night.",
        line_of_enquiry="Where the suspect went.",
        necessity="No other record.",
        proportionality="One night only.",
    )
    # Asked on Monday 2 March to reach the reporter by the end of April; unanswered since.
    contact_request_create(
        shared_case=SharedCase.objects.get(case=case),
        requested_by=liaison,
        purpose="take_statement",
        explanation="A statement about the night.",
        urgency="routine",
        preferred_contact="phone_call",
        window_from=START,
        window_until=at(2026, 4, 30),
    )
    CourtEventFactory(case=case, starts_at=at(2026, 4, 2, 10))
    fail(clock, case, 3, START + timedelta(days=1))
    # Reported on Friday 27 March: the referral (Right 4) was due on Tuesday 31 March.
    open_entitlement(case=case, right="referral_to_support", triggered_on=date(2026, 3, 27))
    return case


def rows() -> set[tuple]:
    return set(
        Reminder.objects.values_list(
            "kind", "dedup_key", "case_id", "assignee_id", "due_at", "status"
        )
    )


def assert_each_reminder_once() -> None:
    assert Counter(Reminder.objects.values_list("kind", flat=True)) == EXPECTED
    reasons = Reminder.objects.values_list("kind", "case_id", "assignee_id", "due_at")
    assert len(set(reasons)) == len(reasons)


def test_scanning_twice_gives_the_same_rows(clock, everything_due):
    # A contact request's first reminder is made with the request, under the scan's own key.
    before_scan = Counter(Reminder.objects.values_list("kind", flat=True))
    first = scan(clock, SCAN_AT)
    created = {kind: result.created for kind, result in first.items() if result.created}
    assert created == dict(EXPECTED - before_scan)
    assert before_scan == Counter({K.CONTACT_REQUEST: 1})
    before = rows()
    second = scan(clock, SCAN_AT)
    assert {kind: result.created for kind, result in second.items() if result.created} == {}
    assert {kind: result.cancelled for kind, result in second.items() if result.cancelled} == {}
    assert rows() == before
    assert_each_reminder_once()


def test_a_scan_killed_halfway_and_run_again_makes_each_reminder_once(clock, everything_due):
    scan(clock, SCAN_AT, kinds=[K.REVERIFY_CONTACT, K.NO_RECENT_CONTACT, K.CONTACT_FAILURES])
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        K.CONTACT_REQUEST,  # made with the request
        K.REVERIFY_CONTACT,
        K.NO_RECENT_CONTACT,
        K.CONTACT_FAILURES,
    }
    partial = rows()
    scan(clock, SCAN_AT + MINUTE)
    assert partial <= rows()
    assert_each_reminder_once()


def row_versions() -> dict:
    """Each reminder's row version: an update, even one that changes nothing, makes a new one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ctid::text, xmin::text FROM reminders_reminder")
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_a_scan_that_finds_what_the_last_one_found_writes_no_row(clock, everything_due):
    scan(clock, SCAN_AT)
    before = row_versions()
    assert len(before) == sum(EXPECTED.values())
    with CaptureQueriesContext(connection) as queries:
        second = scan(clock, SCAN_AT + MINUTE)
    assert row_versions() == before
    assert not [q for q in queries.captured_queries if "INSERT INTO reminders_reminder" in q["sql"]]
    assert {kind: vars(result) for kind, result in second.items() if result.found} == {
        kind: {"found": count, "created": 0, "cancelled": 0, "revived": 0}
        for kind, count in EXPECTED.items()
    }
