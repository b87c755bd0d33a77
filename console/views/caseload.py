"""The start of a day: my caseload, the reminders due today and the clients we cannot reach;
for supervisors, the team's caseload and the reminders escalated to them."""

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from casework.accounts import selectors as account_selectors
from casework.accounts.models import User
from casework.core.errors import Conflict
from casework.court.selectors import caseload as caseload_rows
from casework.reminders import selectors as reminder_selectors
from casework.reminders import services as reminder_services
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.models import Reminder
from permissions.querysets import CHANGE

from .. import audit
from ..forms import SnoozeForm, TeamFilterForm, apply_service_errors
from ..pages import PAGE_SIZE, home_for, not_found, page, page_response, paged

# Reminders that say a client cannot be reached.
UNREACHABLE = (ReminderKind.CONTACT_FAILURES, ReminderKind.NO_RECENT_CONTACT)
# Reminders shown in each list of my caseload, soonest first: each carries its own forms, and a
# caseworker with a backlog would otherwise get a page of hundreds of kilobytes (see
# docs/benchmarks.md). Completing or snoozing them brings the next; the API lists them all.
REMINDERS_SHOWN = 10
# Open cases on a page of a caseload, most urgent first.
CASES_SHOWN = PAGE_SIZE
# What a list of reminders shows of each.
REMINDER_SHOWN = ("id", "kind", "status", "due_at", "snoozed_until", "case", "case__reference")


@page("home")
def home(request: HttpRequest, user: User) -> HttpResponse:
    return HttpResponseRedirect(home_for(user))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end_of_today() -> datetime:
    return _start_of(timezone.localdate() + timedelta(days=1))


def _cases_page(
    request: HttpRequest, user: User, *, assigned_to_id: uuid.UUID | None
) -> dict[str, Any]:
    """One page of open cases, most urgent first, read as the API reads a caseload (and audited
    alike), with the links to the pages before and after it."""
    rows, pages = paged(
        request,
        lambda offset, limit: caseload_rows(
            principal=user, assigned_to_id=assigned_to_id, limit=limit, offset=offset
        ),
        CASES_SHOWN,
    )
    if rows:
        audit.read(
            user,
            "caseload.read",
            [row["id"] for row in rows],
            case_ids=[row["id"] for row in rows],
            client_ids=[row["client_id"] for row in rows],
        )
    return {"rows": rows, **pages}


def _my_reminders(user: User) -> "QuerySet[Reminder]":
    """My open reminders due by the end of today (a supervisor's own only), soonest first, with
    only what a list shows of each and of its case."""
    return (
        reminder_selectors.reminders(principal=user)
        .filter(assignee=user, status=ReminderStatus.OPEN, due_at__lt=_end_of_today())
        .select_related(None)
        .select_related("case")
        .only(*REMINDER_SHOWN)
        .order_by("due_at", "id")
    )


@page("caseload")
def caseload(request: HttpRequest, user: User) -> HttpResponse:
    cases = _cases_page(request, user, assigned_to_id=user.pk)
    if cases["previous_page"]:
        # The reminders head the first page only: a later page goes on with the cases.
        return page_response(
            request, "console/caseload.html", {"title": "My caseload", **cases, "later": True}
        )
    mine = _my_reminders(user)
    unreachable_kind = Q(kind__in=UNREACHABLE)
    counts = mine.order_by().aggregate(
        due=Count("pk", filter=~unreachable_kind), unreachable=Count("pk", filter=unreachable_kind)
    )
    due = list(mine.exclude(unreachable_kind)[:REMINDERS_SHOWN])
    unreachable = list(mine.filter(unreachable_kind)[:REMINDERS_SHOWN])
    shown = due + unreachable
    start_of_today = _start_of(timezone.localdate())
    for reminder in shown:
        # Due before today: said beside the date, so that today's own stand apart.
        reminder.overdue = reminder.due_at < start_of_today  # type: ignore[attr-defined]
    if shown:
        audit.read(user, "reminder.list", shown, case_ids=[r.case_id for r in shown if r.case_id])
    return page_response(
        request,
        "console/caseload.html",
        {
            "title": "My caseload",
            **cases,
            "due": due,
            "due_more": counts["due"] - len(due),
            "unreachable": unreachable,
            "unreachable_more": counts["unreachable"] - len(unreachable),
            "snooze_form": SnoozeForm(),
        },
    )


@page("team")
def team(request: HttpRequest, user: User) -> HttpResponse:
    """The open cases of the whole team, or of one person of it (``?person=<id>``, chosen among
    the staff the supervisor manages: the API's ``assigned_to``)."""
    people = list(
        account_selectors.staff(principal=user)
        .filter(is_active=True)
        .order_by("last_name", "first_name", "username", "id")
    )
    form = TeamFilterForm(request.GET or None, people=people)
    person = form.cleaned_data["person"] if form.is_valid() else None
    cases = _cases_page(request, user, assigned_to_id=person.pk if person else None)
    return page_response(
        request,
        "console/caseload.html",
        {"title": "Team caseload", **cases, "team": True, "filter_form": form},
        status=400 if form.errors else 200,
    )


@page("escalated")
def escalated(request: HttpRequest, user: User) -> HttpResponse:
    """Reminders the scans escalated to me: repeated failures on every route of a client."""
    escalated = (
        reminder_selectors.reminders(principal=user)
        .filter(
            assignee=user,
            kind=ReminderKind.CONTACT_FAILURES,
            status__in=(ReminderStatus.OPEN, ReminderStatus.SNOOZED),
        )
        .select_related(None)
        .select_related("case")
        .only(*REMINDER_SHOWN)
        .order_by("due_at", "id")
    )
    found, pages = paged(request, lambda offset, limit: escalated[offset : offset + limit])
    if found:
        audit.read(user, "reminder.list", found, case_ids=[r.case_id for r in found if r.case_id])
    return page_response(
        request,
        "console/escalated.html",
        {"title": "Escalated to me", "reminders": found, "snooze_form": SnoozeForm(), **pages},
    )


def _reminder(user: User, pk: uuid.UUID) -> Reminder | None:
    found: Reminder | None = (
        reminder_selectors.reminders(principal=user, action=CHANGE).filter(pk=pk).first()
    )
    return found


def _back(request: HttpRequest, user: User) -> HttpResponseRedirect:
    target = request.POST.get("back", "")
    allowed = {reverse("console:caseload"), reverse("console:escalated")}
    return HttpResponseRedirect(target if target in allowed else home_for(user))


@page("reminder_complete", methods=("POST",))
def reminder_complete(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    reminder = _reminder(user, pk)
    if reminder is None:
        return not_found(request)
    try:
        reminder_services.reminder_complete(reminder=reminder, by=user)
    except (Conflict, ValidationError) as error:
        return _refused(request, reminder, error)
    return _back(request, user)


@page("reminder_snooze", methods=("POST",))
def reminder_snooze(request: HttpRequest, user: User, pk: uuid.UUID) -> HttpResponse:
    reminder = _reminder(user, pk)
    if reminder is None:
        return not_found(request)
    form = SnoozeForm(request.POST)
    if form.is_valid():
        try:
            reminder_services.reminder_snooze(reminder=reminder, by=user, **form.cleaned_data)
        except Conflict as error:
            return _refused(request, reminder, error)
        except ValidationError as error:
            apply_service_errors(form, error, {"until": "until", "reason": "reason"})
        else:
            return _back(request, user)
    return page_response(
        request,
        "console/reminder.html",
        {"title": "Snooze a reminder", "reminder": reminder, "snooze_form": form},
        status=400,
    )


def _refused(request: HttpRequest, reminder: Reminder, error: Exception) -> HttpResponse:
    """Someone else changed the reminder first: say what it is now, change nothing."""
    reminder.refresh_from_db()
    return page_response(
        request,
        "console/reminder.html",
        {
            "title": "Reminder changed",
            "reminder": reminder,
            "refusal": "; ".join(getattr(error, "messages", [str(error)])),
            "snooze_form": SnoozeForm(),
        },
        status=409,
    )


@page("staff")
def staff(request: HttpRequest, user: User) -> HttpResponse:
    """The people of my charity, as the API's staff list gives them to a supervisor."""
    staff = account_selectors.staff(principal=user).order_by("last_name", "username", "id")
    people, pages = paged(request, lambda offset, limit: staff[offset : offset + limit])
    return page_response(
        request, "console/staff.html", {"title": "Staff", "people": people, **pages}
    )
