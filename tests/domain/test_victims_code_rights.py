"""Due dates of the Victims' Code rights with a period of their own, worked out by hand from the
calendar (weekends and the bank holidays of England and Wales do not count; the day of the
trigger does not either): Right 4, referral within 2 working days of reporting; Right 8, a
hearing's date within 1 working day; Right 11, the Victim Contact Scheme within 10 working
days of sentencing; Right 3, 5 working days or 1 under enhanced rights."""

from datetime import date

import pytest

from casework.court.choices import VictimRight
from casework.court.rights import due_on

R3 = VictimRight.INFORMATION_ON_REPORTING
R4 = VictimRight.REFERRAL_TO_SUPPORT
R7 = VictimRight.PERSONAL_STATEMENT
R8 = VictimRight.TRIAL_INFORMATION
R11 = VictimRight.VICTIM_CONTACT_SCHEME
R12 = VictimRight.COMPLAINT


@pytest.mark.parametrize(
    ("right", "triggered_on", "enhanced", "expected", "why"),
    [
        # Right 4: 2 working days, enhanced or not.
        (R4, date(2026, 4, 2), False, date(2026, 4, 8), "Good Friday and Easter Monday skipped"),
        (R4, date(2026, 12, 23), True, date(2026, 12, 29), "Christmas, and Boxing Day's Monday"),
        (R4, date(2026, 5, 22), False, date(2026, 5, 27), "the spring bank holiday skipped"),
        (R4, date(2026, 5, 29), False, date(2026, 6, 2), "a weekend only"),
        (R4, date(2027, 1, 2), False, date(2027, 1, 5), "reported on a Saturday"),
        # Right 8: 1 working day, for every victim.
        (R8, date(2026, 12, 24), False, date(2026, 12, 29), "Christmas to the Tuesday after"),
        (R8, date(2026, 8, 28), True, date(2026, 9, 1), "the summer bank holiday skipped"),
        (R8, date(2026, 12, 31), False, date(2027, 1, 4), "New Year's Day on a Friday"),
        (R8, date(2026, 4, 1), False, date(2026, 4, 2), "an ordinary Wednesday"),
        # Right 11: 10 working days.
        (R11, date(2026, 12, 21), False, date(2027, 1, 7), "over Christmas and New Year"),
        (R11, date(2026, 3, 27), False, date(2026, 4, 14), "over Easter"),
        (R11, date(2026, 4, 28), True, date(2026, 5, 13), "over the early May bank holiday"),
        # Right 3: 5 working days, 1 with enhanced rights.
        (R3, date(2026, 12, 23), False, date(2027, 1, 4), "five days across Christmas"),
        (R3, date(2026, 12, 23), True, date(2026, 12, 24), "enhanced: the next working day"),
    ],
)
def test_a_rights_due_date_counts_working_days_in_england_and_wales(
    right, triggered_on, enhanced, expected, why
):
    assert due_on(right, triggered_on, enhanced=enhanced) == expected, why


@pytest.mark.parametrize("right", [R7, R12])
def test_a_right_the_code_gives_no_period_has_no_due_date(right):
    assert due_on(right, date(2026, 12, 23), enhanced=True) is None
