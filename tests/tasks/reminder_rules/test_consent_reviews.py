"""A consent review date within the lead days raises a reminder, and renewing the consent
cancels it."""

from datetime import date

import pytest

from casework.reminders.choices import ReminderStatus

from ...factories import ConsentDecisionFactory
from .world import K, active, at, open_case, scan, status_of

pytestmark = pytest.mark.django_db


def test_a_consent_review_date_within_the_lead_days_raises_a_reminder(clock, caseworker):
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 1))
    scan(clock, at(2026, 3, 24, 12))
    assert active(K.CONSENT_REVIEW, case) == []
    scan(clock, at(2026, 3, 25, 9))
    [reminder] = active(K.CONSENT_REVIEW, case)
    assert reminder.assignee == caseworker
    assert reminder.due_at == at(2026, 3, 25, 9)  # seven days before, 09:00 UK time


def test_renewing_the_consent_cancels_the_review_reminder(clock, caseworker):
    case = open_case(caseworker)
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 4, 1))
    scan(clock, at(2026, 3, 26, 9))
    [reminder] = active(K.CONSENT_REVIEW, case)

    clock.move_to(at(2026, 3, 26, 11))
    ConsentDecisionFactory(case=case, scope="store_records", review_date=date(2026, 9, 30))
    scan(clock, at(2026, 3, 26, 12))
    assert status_of(reminder) == ReminderStatus.CANCELLED
    assert active(K.CONSENT_REVIEW, case) == []
