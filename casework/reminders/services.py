"""Working reminders, and the settings behind them."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.errors import Conflict
from casework.accounts.models import Organisation, User
from casework.audit.services import audit_record

from .choices import ACTIVE_STATUSES, ReminderStatus
from .models import Reminder, ReminderPolicy, ReminderPreference

LONGEST_SNOOZE = timedelta(days=90)


def _lock_active(reminder: Reminder) -> Reminder:
    locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if locked.status not in ACTIVE_STATUSES:
        raise Conflict(f"This reminder is already {locked.status}.", code="reminder_closed")
    return locked


@transaction.atomic
def reminder_complete(*, reminder: Reminder, by: User) -> Reminder:
    locked = _lock_active(reminder)
    locked.status = ReminderStatus.DONE
    locked.completed_at = timezone.now()
    locked.completed_by = by
    locked.snoozed_until = None
    locked.save()
    audit_record(actor=by, action="reminder.complete", target=locked, case_id=locked.case_id)
    return locked


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, by: User, until: datetime, reason: str) -> Reminder:
    now = timezone.now()
    if until <= now:
        raise ValidationError({"until": ["Snooze until a time in the future."]})
    if until > now + LONGEST_SNOOZE:
        raise ValidationError({"until": ["Snooze for at most 90 days."]})
    locked = _lock_active(reminder)
    locked.status = ReminderStatus.SNOOZED
    locked.snoozed_until = until
    locked.snooze_reason = reason
    locked.save()
    audit_record(
        actor=by,
        action="reminder.snooze",
        target=locked,
        case_id=locked.case_id,
        changed_fields=["status", "snoozed_until", "snooze_reason"],
    )
    return locked


@transaction.atomic
def policy_update(*, organisation: Organisation, by: User, **changes) -> ReminderPolicy:
    policy, _ = ReminderPolicy.objects.select_for_update().get_or_create(organisation=organisation)
    for field, value in changes.items():
        setattr(policy, field, value)
    policy.updated_by = by
    policy.full_clean()
    policy.save()
    audit_record(
        actor=by,
        action="reminder_policy.update",
        target=policy,
        organisation=organisation,
        changed_fields=changes,
    )
    return policy


@transaction.atomic
def preferences_update(*, user: User, **changes) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=user)
    for field, value in changes.items():
        setattr(preference, field, value)
    preference.save()
    return preference
