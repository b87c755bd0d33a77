"""Small numbers are withheld, and so is whatever would give a withheld number back: tables
worked by hand, cell by cell."""

import pytest
from django.core.exceptions import ValidationError

from casework.stats.periods import CASE_GROUPINGS, period_range, stats_request
from casework.stats.suppression import (
    suppress_count,
    suppress_median,
    suppress_nested,
    suppress_table,
)


def shown(table) -> list[tuple[str, int | None, bool]]:
    return [(cell.key, cell.count, cell.suppressed) for cell in table.cells]


def test_nothing_is_withheld_when_every_cell_reaches_the_threshold():
    table = suppress_table([("jan", 5), ("feb", 12), ("mar", 7)], 24, limit=5)
    assert shown(table) == [("jan", 5, False), ("feb", 12, False), ("mar", 7, False)]
    assert (table.total.count, table.total.suppressed) == (24, False)


def test_a_lone_small_cell_takes_the_next_smallest_with_it_so_the_total_cannot_give_it_back():
    # 6 + 3 + 7 = 16: with 16, 6 and 7 shown, the 3 would be 16 - 6 - 7.
    table = suppress_table([("jan", 6), ("feb", 3), ("mar", 7)], 16, limit=5)
    assert shown(table) == [("jan", None, True), ("feb", None, True), ("mar", 7, False)]
    assert (table.total.count, table.total.suppressed) == (16, False)


def test_the_next_smallest_on_a_tie_is_the_first_in_the_table():
    table = suppress_table([("a", 9), ("b", 2), ("c", 9)], 20, limit=5)
    assert shown(table) == [("a", None, True), ("b", None, True), ("c", 9, False)]


def test_two_small_cells_already_hide_each_other():
    table = suppress_table([("a", 1), ("b", 4), ("c", 30)], 35, limit=5)
    assert shown(table) == [("a", None, True), ("b", None, True), ("c", 30, False)]
    assert table.total.count == 35


def test_zero_is_below_the_threshold_too():
    table = suppress_table([("a", 0), ("b", 8), ("c", 11)], 19, limit=5)
    assert shown(table) == [("a", None, True), ("b", None, True), ("c", 11, False)]


def test_a_small_total_is_withheld_and_a_single_small_cell_with_it():
    table = suppress_table([("only", 3)], 3, limit=5)
    assert shown(table) == [("only", None, True)]
    assert (table.total.count, table.total.suppressed) == (None, True)


def test_the_threshold_is_the_smallest_count_shown():
    table = suppress_table([("a", 4), ("b", 5), ("c", 6), ("d", 100)], 115, limit=5)
    assert shown(table) == [
        ("a", None, True),
        ("b", None, True),
        ("c", 6, False),
        ("d", 100, False),
    ]


def test_an_empty_table_shows_only_its_withheld_total():
    table = suppress_table([], 0, limit=5)
    assert table.cells == ()
    assert table.total.suppressed and table.total.count is None


def test_a_threshold_of_one_shows_everything_but_zero():
    table = suppress_table([("a", 1), ("b", 0)], 1, limit=1)
    assert shown(table) == [("a", None, True), ("b", None, True)]
    table = suppress_table([("a", 1), ("b", 2)], 3, limit=1)
    assert shown(table) == [("a", 1, False), ("b", 2, False)]


def test_suppression_cannot_be_switched_off():
    with pytest.raises(ValueError):
        suppress_table([("a", 1)], 1, limit=0)


def test_a_count_standing_alone():
    assert suppress_count("x", 4, limit=5).as_dict() == {
        "key": "x",
        "count": None,
        "suppressed": True,
    }
    assert suppress_count("x", 5, limit=5).as_dict() == {
        "key": "x",
        "count": 5,
        "suppressed": False,
    }


def test_a_median_over_too_few_cases_is_withheld():
    assert suppress_median(12.0, 4, limit=5) == {"days": None, "suppressed": True}
    assert suppress_median(None, 0, limit=5) == {"days": None, "suppressed": True}
    assert suppress_median(12.25, 5, limit=5) == {"days": 12.2, "suppressed": False}


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-Q3", "2026-07-01", "2026-09-30"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2026-12", "2026-12-01", "2026-12-31"),
    ],
)
def test_periods(text, first, last):
    start, end = period_range(text)
    assert (start.isoformat(), end.isoformat()) == (first, last)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "2026-00", "26", "Q3", "2026-7", "last"])
def test_what_is_not_a_period(text):
    assert period_range(text) is None


def test_a_range_of_exactly_ten_years_is_taken_and_one_day_more_is_not():
    taken = stats_request({"from": "2016-01-01", "to": "2025-12-31"}, groupings=CASE_GROUPINGS)
    assert taken.group_by == "month"
    with pytest.raises(ValidationError) as refused:
        stats_request({"from": "2016-01-01", "to": "2026-01-01"}, groupings=CASE_GROUPINGS)
    assert refused.value.message_dict == {"to": ["The range can be at most 10 years."]}


FUNNEL_PARENTS = {"investigated": "reported", "charged": "investigated", "trial": "charged"}


def test_a_funnel_stage_just_short_of_the_one_before_is_withheld():
    # 40 cases; 30 reported, 27 investigated (3 left: withheld), 20 charged (7 fewer than
    # investigated, but investigated is withheld: 10 fewer than reported, shown), 20 at trial
    # (none left, which points at no one). The cells do not add up, so nothing else is withheld.
    table = suppress_nested(
        [("reported", 30), ("investigated", 27), ("charged", 20), ("trial", 20)],
        FUNNEL_PARENTS,
        40,
        limit=5,
    )
    assert shown(table) == [
        ("reported", 30, False),
        ("investigated", None, True),
        ("charged", 20, False),
        ("trial", 20, False),
    ]


def test_a_funnel_stage_just_short_of_the_total_is_withheld():
    # 12 cases, 10 reported: the 2 never reported would be 12 - 10, so reported is withheld;
    # investigated (9) is then measured against the total (3 short: withheld), charged (6)
    # against the total too (6 short: shown) and trial against charged (none short: shown).
    table = suppress_nested(
        [("reported", 10), ("investigated", 9), ("charged", 6), ("trial", 6)],
        FUNNEL_PARENTS,
        12,
        limit=5,
    )
    assert shown(table) == [
        ("reported", None, True),
        ("investigated", None, True),
        ("charged", 6, False),
        ("trial", 6, False),
    ]


def test_a_small_funnel_stage_is_withheld_whatever_its_parent():
    table = suppress_nested([("reported", 30), ("investigated", 3)], FUNNEL_PARENTS, 40, limit=5)
    assert shown(table) == [("reported", 30, False), ("investigated", None, True)]
    assert table.total.count == 40
