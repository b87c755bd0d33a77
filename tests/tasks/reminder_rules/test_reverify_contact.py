"""Re-verifying contact details: a client whose contact methods nobody has verified for the
window is flagged, and verifying any of them cancels it."""

from datetime import timedelta

import pytest

from casework.clients.services import contact_method_verify
from casework.reminders.choices import ReminderStatus

from ...factories import ContactMethodFactory
from .world import MINUTE, START, K, active, mobile_of, open_case, scan, status_of

pytestmark = pytest.mark.django_db


def test_a_client_never_verified_is_flagged_once_the_window_from_the_case_opening_passes(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=14) - MINUTE)
    assert active(K.REVERIFY_CONTACT, case) == []
    scan(clock, START + timedelta(days=14) + MINUTE)
    [reminder] = active(K.REVERIFY_CONTACT, case)
    assert reminder.assignee == caseworker
    assert reminder.organisation == caseworker.organisation
    assert reminder.due_at == START + timedelta(days=14)
    assert reminder.status == ReminderStatus.OPEN


def test_re_verifying_a_contact_method_cancels_the_open_reminder_at_the_next_scan(
    clock, caseworker
):
    case = open_case(caseworker)
    scan(clock, START + timedelta(days=15))
    [stale] = active(K.REVERIFY_CONTACT, case)

    verified_at = START + timedelta(days=16)
    clock.move_to(verified_at)
    contact_method_verify(method=mobile_of(case), verified_by=caseworker)
    scan(clock, verified_at + timedelta(hours=1))
    assert status_of(stale) == ReminderStatus.CANCELLED
    assert active(K.REVERIFY_CONTACT, case) == []

    # The window starts again from the verification.
    scan(clock, verified_at + timedelta(days=14) - MINUTE)
    assert active(K.REVERIFY_CONTACT, case) == []
    scan(clock, verified_at + timedelta(days=14) + MINUTE)
    [again] = active(K.REVERIFY_CONTACT, case)
    assert again.pk != stale.pk
    assert again.due_at == verified_at + timedelta(days=14)


def test_any_method_verified_within_the_window_keeps_the_client_current(clock, caseworker):
    case = open_case(caseworker)
    clock.move_to(START + timedelta(days=10))
    email = ContactMethodFactory(
        client=case.client, created_by=caseworker, kind="email", value="wren@example.net"
    )
    contact_method_verify(method=email, verified_by=caseworker)
    scan(clock, START + timedelta(days=20))
    assert active(K.REVERIFY_CONTACT, case) == []
    scan(clock, START + timedelta(days=24) + MINUTE)
    [reminder] = active(K.REVERIFY_CONTACT, case)
    assert reminder.due_at == START + timedelta(days=24)
