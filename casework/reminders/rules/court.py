"""Court dates coming up: a reminder some days before, and one on the working day before."""

from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery

from casework.accounts.choices import Role
from casework.cases.models import Case, CaseAssignment
from casework.court.choices import EntitlementStatus, HearingStatus
from casework.court.models import CourtEvent, Entitlement
from casework.court.working_days import is_working_day

from ..choices import ReminderKind
from ..models import DEFAULT_POLICY, ReminderPolicy
from . import Candidate, rule
from .common import LONDON, local_minus_days, local_morning, reminder_assignee, stamp

# Hearings further ahead than this cannot be due for any reminder yet.
HORIZON = timedelta(days=61)


def working_days_before(day, n: int):
    current = day
    while n:
        current -= timedelta(days=1)
        if is_working_day(current):
            n -= 1
    return current


@rule(ReminderKind.COURT_DATE)
def court_dates(now: datetime) -> list[Candidate]:
    """For each listed hearing ahead: "in N days" from the same time N days before (UK time),
    and "tomorrow" from 09:00 UK time on the working day before. Charity staff attending get it
    while they can still see the case (assigned to it, or a supervisor); with none of them left,
    whoever the case's reminders go to. A colleague taken off the case is therefore no longer
    reminded, and their reminder is the one handed to the case's next person."""
    events = list(
        CourtEvent.objects.filter(
            status=HearingStatus.LISTED, starts_at__gt=now, starts_at__lte=now + HORIZON
        )
        .select_related("case")
        .prefetch_related("attendees")
    )
    if not events:
        return []
    policies = {
        p.organisation_id: p
        for p in ReminderPolicy.objects.filter(
            organisation_id__in={e.case.organisation_id for e in events}
        )
    }
    assigned = set(
        CaseAssignment.objects.filter(case_id__in={e.case_id for e in events}).values_list(
            "case_id", "user_id"
        )
    )
    fallback = dict(
        CourtEvent.objects.filter(pk__in=[e.pk for e in events])
        .annotate(assignee=_case_assignee())
        .values_list("pk", "assignee")
    )
    candidates = []
    for event in events:
        policy = policies.get(event.case.organisation_id)
        first_days = (
            getattr(policy, "court_reminder_days_before", None)
            or DEFAULT_POLICY["court_reminder_days_before"]
        )
        last_days = (
            getattr(policy, "court_reminder_working_days_before", None)
            or DEFAULT_POLICY["court_reminder_working_days_before"]
        )
        local_day = event.starts_at.astimezone(LONDON).date()
        moments = {
            f"{first_days}d": local_minus_days(event.starts_at, first_days),
            f"{last_days}wd": local_morning(working_days_before(local_day, last_days)),
        }
        attendees = [
            u.pk
            for u in event.attendees.all()
            if u.organisation_id == event.case.organisation_id
            and u.is_active
            and (u.role == Role.SUPERVISOR or (event.case_id, u.pk) in assigned)
        ]
        recipients = attendees or ([fallback[event.pk]] if fallback.get(event.pk) else [])
        for stage, due in moments.items():
            if due > now:
                continue
            for user in recipients:
                candidates.append(
                    Candidate(
                        f"court:{event.pk}:{stamp(event.starts_at)}:{stage}:{user}",
                        event.case.organisation_id,
                        event.case_id,
                        user,
                        due_at=due,
                        detail={
                            "court_event": str(event.pk),
                            "starts_at": event.starts_at.isoformat(),
                            "stage": stage,
                        },
                    )
                )
    return candidates


def _case_assignee() -> Subquery:
    return Subquery(
        Case.objects.filter(pk=OuterRef("case_id")).annotate(a=reminder_assignee()).values("a")[:1]
    )


@rule(ReminderKind.VICTIMS_CODE_OVERDUE)
def victims_code_overdue(now: datetime) -> list[Candidate]:
    """An entitlement of the Victims' Code still open after the day it was due: to whoever the
    case's reminders go to, from 09:00 UK time the next day, until it is met or found not to
    apply. (Its provider owes it; the ISVA is the one who chases it.)"""
    today = now.astimezone(LONDON).date()
    rows = (
        Entitlement.objects.filter(status=EntitlementStatus.OPEN, due_on__lt=today)
        .annotate(assignee=_case_assignee())
        .filter(assignee__isnull=False)
        .values_list("id", "case__organisation_id", "case_id", "assignee", "due_on", "right")
    )
    return [
        Candidate(
            f"victims_code_overdue:{entitlement}",
            organisation,
            case,
            assignee,
            due_at=local_morning(due + timedelta(days=1)),
            detail={"right": right, "due_on": due.isoformat()},
        )
        for entitlement, organisation, case, assignee, due, right in rows
        if due is not None
    ]
