"""What a request for statistics asks for: a range of dates (``from``/``to``, or one ``period``
such as ``2026``, ``2026-Q3`` or ``2026-07``) and a grouping, each refused with its own message."""

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_YEARS = 10
CASE_GROUPINGS = (
    "month",
    "quarter",
    "year",
    "offence_type",
    "referral_source",
    "support_status",
    "justice_stage",
    "share_level",
)
SHARE_GROUPINGS = ("month", "quarter", "year", "offence_type", "share_level")
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class StatsRequest:
    start: date
    end: date
    group_by: str


def period_range(text: str) -> tuple[date, date] | None:
    """The first and last day of ``2026``, ``2026-Q3`` or ``2026-07``; None if it is none."""
    if match := _YEAR.match(text):
        year = int(match[1])
        return (date(year, 1, 1), date(year, 12, 31)) if year >= 1 else None
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        if year < 1:
            return None
        first = 3 * quarter - 2
        return date(year, first, 1), date(year, first + 2, _last_day(year, first + 2))
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if year < 1 or not 1 <= month <= 12:
            return None
        return date(year, month, 1), date(year, month, _last_day(year, month))
    return None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _date(params: Mapping[str, str], name: str, errors: dict[str, list[str]]) -> date | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = ["Give a date as YYYY-MM-DD."]
        return None


def stats_request(
    params: Mapping[str, str], *, groupings: tuple[str, ...], whole_months: bool = False
) -> StatsRequest:
    """The request ``params`` make, or a ValidationError naming each field that is wrong. With
    no range given, the current calendar year so far. ``whole_months`` holds ``from`` to the
    first of a month and ``to`` to the last: ranges a day apart would otherwise difference out
    the day something started."""
    errors: dict[str, list[str]] = {}
    group_by = params.get("group_by") or "month"
    if group_by not in groupings:
        errors["group_by"] = [f"Group by one of: {', '.join(groupings)}."]
    start = _date(params, "from", errors)
    end = _date(params, "to", errors)
    period = params.get("period")
    if period:
        if params.get("from") or params.get("to"):
            errors["period"] = ["Give a period or from and to, not both."]
        elif (found := period_range(period)) is None:
            errors["period"] = ["Give a period as YYYY, YYYY-Qn (n from 1 to 4) or YYYY-MM."]
        else:
            start, end = found
    elif "from" not in errors and "to" not in errors:
        today = timezone.localdate()
        start = start or date(today.year, 1, 1)
        end = end or today
    if whole_months and not period:
        if start and params.get("from") and start.day != 1:
            errors["from"] = ["Start on the first day of a month."]
        if end and params.get("to") and end.day != _last_day(end.year, end.month):
            errors["to"] = ["End on the last day of a month."]
    if start and end and not errors.keys() & {"from", "to", "period"}:
        if end < start:
            errors["to"] = ["The end of the range is before its start."]
        elif _years_later(start, MAX_YEARS) <= end:
            errors["to"] = [f"The range can be at most {MAX_YEARS} years."]
    if errors or start is None or end is None:
        raise ValidationError(errors or {"period": ["Give a period, or from and to."]})
    return StatsRequest(start=start, end=end, group_by=group_by)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
