"""Working days in England and Wales, and who has enhanced rights under the Victims' Code.

Every expected date below was worked out by hand from the calendar (weekends, and the England and
Wales bank holidays of 2026 and 2027), never by the code under test."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework.court import victims_code
from casework.court.models import Entitlement
from casework.court.services import record_decision
from casework.court.working_days import add_working_days, is_working_day, working_days_between

from ..factories import CaseFactory

LONDON = ZoneInfo("Europe/London")

# (start, working days, expected, why)
HAND_COMPUTED = [
    (
        date(2026, 12, 24),
        1,
        date(2026, 12, 29),
        "Thu 24 Dec 2026: Fri 25 Christmas, 26/27 weekend, Mon 28 Boxing Day (substitute)",
    ),
    (
        date(2026, 12, 24),
        5,
        date(2027, 1, 5),
        "Tue 29, Wed 30, Thu 31 Dec; Fri 1 Jan 2027 New Year's Day; 2/3 weekend; Mon 4, Tue 5",
    ),
    (
        date(2026, 12, 24),
        3,
        date(2026, 12, 31),
        "Tue 29, Wed 30, Thu 31 Dec 2026",
    ),
    (
        date(2026, 12, 31),
        1,
        date(2027, 1, 4),
        "Thu 31 Dec 2026: Fri 1 Jan 2027 New Year's Day, weekend, Mon 4 Jan",
    ),
    (
        date(2026, 4, 2),
        1,
        date(2026, 4, 7),
        "Thu 2 Apr 2026: Good Friday 3 Apr, 4/5 weekend, Easter Monday 6 Apr",
    ),
    (
        date(2026, 4, 2),
        5,
        date(2026, 4, 13),
        "Tue 7, Wed 8, Thu 9, Fri 10, (weekend), Mon 13 Apr 2026",
    ),
    (
        date(2026, 8, 28),
        1,
        date(2026, 9, 1),
        "Fri 28 Aug 2026: 29/30 weekend, Mon 31 Aug Late Summer Bank Holiday",
    ),
    (
        date(2026, 8, 28),
        5,
        date(2026, 9, 7),
        "Tue 1, Wed 2, Thu 3, Fri 4, (weekend), Mon 7 Sep 2026",
    ),
    (
        date(2026, 5, 1),
        1,
        date(2026, 5, 5),
        "Fri 1 May 2026: weekend, Mon 4 May Early May Bank Holiday",
    ),
    (
        date(2026, 5, 22),
        1,
        date(2026, 5, 26),
        "Fri 22 May 2026: weekend, Mon 25 May Spring Bank Holiday",
    ),
    (
        date(2026, 6, 10),
        5,
        date(2026, 6, 17),
        "an ordinary Wednesday: Thu, Fri, Mon, Tue, Wed",
    ),
    (
        date(2026, 6, 10),
        1,
        date(2026, 6, 11),
        "an ordinary Wednesday: the Thursday",
    ),
    (
        date(2026, 6, 12),
        1,
        date(2026, 6, 15),
        "an ordinary Friday: the Monday",
    ),
    (
        date(2026, 6, 13),
        1,
        date(2026, 6, 15),
        "a Saturday: the Monday",
    ),
    (
        date(2026, 6, 10),
        0,
        date(2026, 6, 10),
        "no working days: the same day",
    ),
    (
        date(2027, 3, 25),
        1,
        date(2027, 3, 30),
        "Thu 25 Mar 2027: Good Friday 26 Mar, weekend, Easter Monday 29 Mar",
    ),
    (
        date(2027, 12, 24),
        1,
        date(2027, 12, 29),
        "Fri 24 Dec 2027: weekend (Christmas on the Saturday, Boxing Day on the Sunday), "
        "Mon 27 and Tue 28 Dec substitute days",
    ),
]


@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    HAND_COMPUTED,
    ids=[f"{start}+{days}" for start, days, _, _ in HAND_COMPUTED],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, days, expected, why):
    assert add_working_days(start, days) == expected, why


@pytest.mark.parametrize(
    ("start", "days", "expected", "why"),
    [row for row in HAND_COMPUTED if row[1] > 0],
    ids=[f"{start}+{days}" for start, days, _, _ in HAND_COMPUTED if days > 0],
)
def test_working_days_between_counts_back_what_add_working_days_added(start, days, expected, why):
    assert working_days_between(start, expected) == days, why


def test_the_hand_computed_table_is_labelled_with_the_right_weekdays():
    """Guards the table itself: the weekdays its reasons name are the calendar's."""
    assert date(2026, 12, 24).strftime("%a") == "Thu"
    assert date(2026, 4, 2).strftime("%a") == "Thu"
    assert date(2026, 8, 28).strftime("%a") == "Fri"
    assert date(2026, 6, 10).strftime("%a") == "Wed"
    assert date(2027, 1, 1).strftime("%a") == "Fri"
    assert date(2027, 3, 25).strftime("%a") == "Thu"
    assert date(2027, 12, 24).strftime("%a") == "Fri"


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 6, 10), -1)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),  # Thursday before Christmas
        (date(2026, 12, 25), False),  # Christmas Day (Friday)
        (date(2026, 12, 26), False),  # Saturday (Boxing Day)
        (date(2026, 12, 28), False),  # Boxing Day substitute (Monday)
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day (Friday)
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 5, 4), False),  # Early May Bank Holiday
        (date(2026, 5, 25), False),  # Spring Bank Holiday
        (date(2026, 8, 31), False),  # Late Summer Bank Holiday
        (date(2026, 6, 10), True),  # an ordinary Wednesday
        (date(2026, 6, 13), False),  # Saturday
        (date(2026, 6, 14), False),  # Sunday
        (date(2026, 3, 17), True),  # St Patrick's Day is not a holiday in England
        (date(2026, 11, 30), True),  # nor is St Andrew's Day
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


# --- enhanced rights --------------------------------------------------------------------------


def _case(offences, flags=()):
    return CaseFactory(
        pseudonym="Wren",
        client__vulnerability_flags=list(flags),
        offence_types=list(offences),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "offences",
    [["rape"], ["sexual_assault"], ["stalking"], ["harassment"], ["modern_slavery"]],
)
def test_serious_or_persistent_offences_give_enhanced_rights(offences):
    assert victims_code.enhanced_rights(_case(offences)) is True


@pytest.mark.django_db
def test_one_serious_offence_among_others_gives_enhanced_rights():
    assert victims_code.enhanced_rights(_case(["theft", "stalking"])) is True


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["mental_health", "learning_disability", "no_fixed_address"])
def test_a_vulnerable_client_has_enhanced_rights_whatever_the_offence(flag):
    assert victims_code.enhanced_rights(_case(["theft"], flags=[flag])) is True


@pytest.mark.django_db
@pytest.mark.parametrize("offences", [["theft"], ["theft", "robbery"], []])
def test_a_theft_with_no_vulnerability_has_standard_rights(offences):
    assert victims_code.enhanced_rights(_case(offences)) is False


def test_the_number_of_working_days_defaults_to_one_enhanced_and_five_standard():
    assert victims_code.working_days_allowed(True) == 1
    assert victims_code.working_days_allowed(False) == 5


def test_the_settings_change_the_number_of_working_days(settings):
    settings.VICTIMS_CODE_WORKING_DAYS_ENHANCED = 3
    settings.VICTIMS_CODE_WORKING_DAYS_STANDARD = 10
    assert victims_code.working_days_allowed(True) == 3
    assert victims_code.working_days_allowed(False) == 10


@pytest.mark.django_db
def test_a_decisions_due_date_follows_the_configured_working_days(settings):
    settings.VICTIMS_CODE_WORKING_DAYS_ENHANCED = 3
    settings.VICTIMS_CODE_WORKING_DAYS_STANDARD = 2
    rape, theft = _case(["rape"]), _case(["theft"])
    with time_machine.travel(datetime(2027, 1, 6, 10, tzinfo=LONDON), tick=False):
        for case in (rape, theft):
            record_decision(
                case=case,
                transition=None,
                kind="charge",
                decided_on=date(2026, 12, 24),
                client_told_on=None,
                actor=case.created_by,
            )
    enhanced = Entitlement.objects.get(case=rape)
    standard = Entitlement.objects.get(case=theft)
    # Thu 24 Dec 2026 + 3 = Tue 29, Wed 30, Thu 31 Dec.
    assert (enhanced.enhanced, enhanced.working_days, enhanced.due_on) == (
        True,
        3,
        date(2026, 12, 31),
    )
    # Thu 24 Dec 2026 + 2 = Tue 29, Wed 30 Dec.
    assert (standard.enhanced, standard.working_days, standard.due_on) == (
        False,
        2,
        date(2026, 12, 30),
    )
