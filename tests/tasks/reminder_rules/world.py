"""The world of the reminder rules: the UK clock, a reachable client in active support, and the
calls that drive the scan as the periodic task does."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from casework.cases.models import Case
from casework.reminders.choices import ACTIVE_STATUSES, ReminderKind
from casework.reminders.models import Reminder
from casework.reminders.scan import run_scan

from ...conftest import client_for
from ...factories import CaseFactory, ContactLogEntryFactory

LONDON = ZoneInfo("Europe/London")
K = ReminderKind
REMINDERS = "/api/v1/reminders/"
POLICY = "/api/v1/reminder-policy/"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A UK wall-clock moment (GMT or BST, whichever was in force)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Monday 2 March 2026, 10:00 GMT. Windows counted in days are whole 24-hour days, so the
# arithmetic on START is done in UTC (a day added to a UK wall-clock time across a clock change
# would be 23 or 25 hours).
START = at(2026, 3, 2).astimezone(UTC)
MINUTE = timedelta(minutes=1)


def open_case(caseworker, *, active: bool = True, pseudonym: str = "Wren", **options) -> Case:
    """A case opened now by the caseworker (so assigned to them), its client reachable on one
    unverified mobile. ``active`` moves support from referred to active."""
    return CaseFactory(
        opened_by=caseworker,
        pseudonym=pseudonym,
        reachable=True,
        support="active" if active else None,
        **options,
    )


def mobile_of(case: Case):
    return case.client.contact_methods.get(kind="mobile")


def log(case: Case, outcome: str, *, direction: str = "outbound", method=None, by=None):
    """A phone call logged as happening now, on the client's mobile unless said."""
    return ContactLogEntryFactory(
        case=case,
        recorded_by=by or case.created_by,
        direction=direction,
        outcome=outcome,
        contact_method=method if method is not None else mobile_of(case),
    )


def scan(clock, moment: datetime, kinds: list[str] | None = None):
    clock.move_to(moment)
    return run_scan(now=moment, kinds=kinds)


def active(kind: str, case: Case | None = None, **filters) -> list[Reminder]:
    """Open or snoozed reminders of a kind, soonest due first."""
    rows = Reminder.objects.filter(kind=kind, status__in=ACTIVE_STATUSES, **filters)
    if case is not None:
        rows = rows.filter(case=case)
    return list(rows.order_by("due_at", "assignee__username"))


def status_of(reminder: Reminder) -> str:
    reminder.refresh_from_db()
    return reminder.status


def listed(user, **query) -> list[dict]:
    response = client_for(user).get(REMINDERS, query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def fail(clock, case, times: int, start: datetime, outcome: str = "no_answer") -> datetime:
    moment = start
    for n in range(times):
        moment = start + timedelta(hours=n)
        clock.move_to(moment)
        log(case, outcome)
    return moment


def court(case: Case) -> list[Reminder]:
    return active(K.COURT_DATE, case)
