"""Court reminders in UK time across both clock changes and the bank holidays, following the
hearing when it moves or is vacated, and going to the staff who attend."""

import pytest

from casework.court.services import court_event_update
from casework.reminders.choices import ReminderStatus

from ...factories import CourtEventFactory
from .world import at, court, open_case, scan, status_of, utc

pytestmark = pytest.mark.django_db


def test_court_reminders_keep_uk_time_across_the_start_of_british_summer_time(clock, caseworker):
    case = open_case(caseworker)
    # Monday 30 March 2026 at 10:00 BST (09:00 UTC), the day after the clocks went forward.
    event = CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10))
    assert event.starts_at == utc(2026, 3, 30, 9)

    scan(clock, at(2026, 3, 23, 9, 59))
    assert court(case) == []
    # Seven days before at the same UK wall-clock time: Monday 23 March, 10:00 GMT.
    scan(clock, at(2026, 3, 23, 10, 0))
    [week] = court(case)
    assert week.due_at == utc(2026, 3, 23, 10)
    assert week.assignee == caseworker

    # The working day before at 09:00 UK time: Friday 27 March, 09:00 GMT.
    scan(clock, at(2026, 3, 27, 8, 59))
    assert court(case) == [week]
    scan(clock, at(2026, 3, 27, 9, 0))
    first, last = court(case)
    assert first == week
    assert last.due_at == utc(2026, 3, 27, 9)
    assert last.assignee == caseworker


def test_court_reminders_keep_uk_time_across_the_return_to_greenwich_mean_time(clock, caseworker):
    clock.move_to(at(2026, 10, 1))
    case = open_case(caseworker)
    # Monday 26 October 2026 at 10:00 GMT, the day after the clocks went back.
    event = CourtEventFactory(case=case, starts_at=at(2026, 10, 26, 10))
    assert event.starts_at == utc(2026, 10, 26, 10)

    # Seven days before: Monday 19 October, 10:00 BST = 09:00 UTC.
    scan(clock, utc(2026, 10, 19, 8, 59))
    assert court(case) == []
    scan(clock, utc(2026, 10, 19, 9, 0))
    [week] = court(case)
    assert week.due_at == utc(2026, 10, 19, 9)

    # The working day before: Friday 23 October, 09:00 BST = 08:00 UTC.
    scan(clock, utc(2026, 10, 23, 7, 59))
    assert court(case) == [week]
    scan(clock, utc(2026, 10, 23, 8, 0))
    _, last = court(case)
    assert last.due_at == utc(2026, 10, 23, 8)


def test_the_working_day_before_skips_the_easter_bank_holidays(clock, caseworker):
    case = open_case(caseworker)
    # Tuesday 7 April 2026; Good Friday (3 April) and Easter Monday (6 April) are bank holidays,
    # so the working day before is Thursday 2 April: 09:00 BST = 08:00 UTC.
    CourtEventFactory(case=case, starts_at=at(2026, 4, 7, 10))
    scan(clock, utc(2026, 4, 2, 7, 59))
    assert [r.due_at for r in court(case)] == [utc(2026, 3, 31, 9)]  # 31 March 10:00 BST
    scan(clock, utc(2026, 4, 2, 8, 0))
    assert [r.due_at for r in court(case)] == [utc(2026, 3, 31, 9), utc(2026, 4, 2, 8)]


def test_a_moved_hearing_cancels_the_old_reminders_and_makes_new_ones(clock, caseworker):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10))
    scan(clock, at(2026, 3, 23, 10))
    [old] = court(case)

    # Brought forward to Wednesday 25 March at 14:00 GMT.
    clock.move_to(at(2026, 3, 23, 11))
    court_event_update(
        event=event,
        actor=caseworker,
        starts_at=at(2026, 3, 25, 14),
        date_change_reason="Relisted by the court.",
    )
    scan(clock, at(2026, 3, 23, 11))
    assert status_of(old) == ReminderStatus.CANCELLED
    [week] = court(case)
    assert week.due_at == utc(2026, 3, 18, 14)  # seven days before the new date: already due
    assert week.pk != old.pk

    scan(clock, at(2026, 3, 24, 9))
    week_again, last = court(case)
    assert week_again == week
    assert last.due_at == utc(2026, 3, 24, 9)  # Tuesday, the working day before
    assert status_of(old) == ReminderStatus.CANCELLED


def test_a_vacated_hearing_cancels_its_reminders(clock, caseworker):
    case = open_case(caseworker)
    event = CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10))
    scan(clock, at(2026, 3, 27, 9, 30))
    reminders = court(case)
    assert len(reminders) == 2

    court_event_update(event=event, actor=caseworker, status="vacated")
    scan(clock, at(2026, 3, 27, 10))
    assert [status_of(r) for r in reminders] == [ReminderStatus.CANCELLED] * 2
    assert court(case) == []


def test_staff_attending_the_hearing_are_reminded_instead_of_the_caseworker(
    clock, caseworker, isva
):
    case = open_case(caseworker, assigned_to=[isva])
    CourtEventFactory(case=case, starts_at=at(2026, 3, 30, 10), attendees=[isva])
    scan(clock, at(2026, 3, 27, 9))
    assert {r.assignee for r in court(case)} == {isva}
