"""Reading reminders, reminder preferences and messages to clients, narrowed first to what the
caller may see (or change)."""

import uuid
from typing import Any

from django.db.models import QuerySet

from casework.accounts.models import User
from casework.accounts.principals import Principal
from casework.cases.models import Case
from casework.core.access import visible_to

from .choices import ReminderStatus
from .models import OutboundMessage, Reminder, ReminderPolicy, ReminderPreference


def reminders(*, principal: Principal, action: str = "view") -> "QuerySet[Reminder]":
    """The caller's reminders (a supervisor's: the organisation's), with what a page shows of
    their case or share."""
    return visible_to(Reminder.objects.all(), principal, action=action).select_related(
        "assignee", "case", "shared_case__case__organisation"
    )


REMINDER_ROW = (
    "id",
    "kind",
    "case_id",
    "case__reference",
    "shared_case_id",
    "shared_case__share_reference",
    "assignee__username",
    "due_at",
    "status",
    "snoozed_until",
    "snooze_reason",
    "completed_at",
    "detail",
    "created_at",
)


# What the audit of a police read names of the share a reminder is about: the read goes into the
# owning charity's chain.
REMINDER_SHARE = (
    "shared_case__case_id",
    "shared_case__case__client_id",
    "shared_case__case__organisation_id",
    "shared_case__police_force_id",
)


def reminder_rows(
    *, principal: Principal, with_shares: bool = False
) -> "QuerySet[Reminder, dict[str, Any]]":
    """The caller's reminders as rows of ``REMINDER_ROW`` (and ``REMINDER_SHARE``, for police's
    reminders about shares, with ``with_shares``)."""
    fields = REMINDER_ROW + REMINDER_SHARE if with_shares else REMINDER_ROW
    rows: QuerySet[Reminder, dict[str, Any]] = visible_to(Reminder.objects.all(), principal).values(
        *fields
    )
    return rows


def without_cancelled(queryset: "QuerySet[Reminder]") -> "QuerySet[Reminder]":
    """A list leaves cancelled reminders out unless asked for them: their reason has gone."""
    return queryset.exclude(status=ReminderStatus.CANCELLED)


def reminder_policy_rows(*, organisation_id: "uuid.UUID") -> "QuerySet[ReminderPolicy]":
    """The organisation's stored reminder policy (none until a supervisor changes a default),
    for an edit to lock."""
    return ReminderPolicy.objects.filter(organisation_id=organisation_id)


def reminder_preference_rows(*, person: User) -> "QuerySet[ReminderPreference]":
    """The person's stored preferences (none until they change them), for an edit to lock."""
    return ReminderPreference.objects.filter(user=person)


def reminder_preference(*, person: User) -> ReminderPreference:
    """The person's own preferences, or the defaults (unsaved) until they change them."""
    found = reminder_preference_rows(person=person).first()
    return found or ReminderPreference(user=person)


def messages(
    *, principal: Principal, case: Case, action: str = "view"
) -> "QuerySet[OutboundMessage]":
    """Messages planned or sent to the client of the case."""
    return visible_to(OutboundMessage.objects.all(), principal, action=action).filter(
        case_id=case.pk
    )
