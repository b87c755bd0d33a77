"""Working reminders, and the settings behind them."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.audit.services import audit_record
from casework.cases.models import Case
from casework.core.access import visible_to
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given

from .assignees import reminder_assignee_of
from .choices import ACTIVE_STATUSES, ReminderStatus
from .models import Reminder, ReminderPolicy, ReminderPreference

LONGEST_SNOOZE = timedelta(days=90)


def _chain_of(reminder: Reminder) -> Organisation:
    """Whose records a reminder's handling concerns: a police officer's reminder about a share
    is the charity's business (its case), never the force's."""
    if reminder.shared_case_id and reminder.case is not None:
        return reminder.case.organisation
    return reminder.organisation


def _lock_active(reminder: Reminder) -> Reminder:
    locked = Reminder.objects.select_for_update(no_key=True).get(pk=reminder.pk)
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
    audit_record(
        actor=by,
        action="reminder.complete",
        target=locked,
        organisation=_chain_of(locked),
        case_id=locked.case_id,
    )
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
        organisation=_chain_of(locked),
        case_id=locked.case_id,
        changed_fields=["status", "snoozed_until", "snooze_reason"],
    )
    return locked


def _held_elsewhere(reminder: Reminder, reason: str, heirs_key: str) -> bool:
    """Whether the reminder's reason is already someone else's: the heir's own reminder for it
    (in any status, the key being unique), or another open one (another attendee's)."""
    return (
        Reminder.objects.filter(dedup_key=heirs_key).exists()
        or Reminder.objects.filter(
            case=reminder.case,
            kind=reminder.kind,
            dedup_key__startswith=f"{reason}:",
            status__in=ACTIVE_STATUSES,
        )
        .exclude(pk=reminder.pk)
        .exists()
    )


@transaction.atomic
def reminders_hand_over(*, case: Case, leaving: User, by: User) -> dict[str, int]:
    """Someone taken off a case stops seeing it, so their open and snoozed reminders on it go to
    whoever the case's reminders go to now (``reminder_assignee_of``: the case's next person by
    the one ranking, else the organisation's longest-serving active supervisor). Runs inside the
    caller's transaction, after the assignment and its permissions are gone; each move is audited.

    A reminder keeps its reason, due time and snooze, and its email is due again, to its new
    holder. Where its key names its holder (a court date's recipient), it is re-keyed to the new
    holder, the key the next scan derives for them: the scan then neither cancels it, nor makes a
    second one, nor hands it back. One whose reason somebody else already holds (another attendee
    of the same hearing) is cancelled instead of doubled. Someone who can still act on the case (an
    active supervisor) keeps theirs. With nobody at all to take them, the change is refused (409)
    rather than a reminder lost."""
    if leaving.is_active and visible_to(Case.objects.filter(pk=case.pk), leaving).exists():
        return {"moved": 0, "covered": 0}
    theirs = list(
        Reminder.objects.select_for_update(no_key=True)
        .filter(case_id=case.pk, assignee=leaving, status__in=ACTIVE_STATUSES)
        .order_by("due_at", "id")
    )
    if not theirs:
        return {"moved": 0, "covered": 0}
    heir = reminder_assignee_of(case, excluding=leaving.pk)
    if heir is None:
        raise Conflict(
            f"Nobody is left to take {leaving.username}'s reminders on this case; "
            "assign someone first.",
            code="no_one_to_take_reminders",
        )
    moved = covered = 0
    suffix = f":{leaving.pk}"
    for reminder in theirs:
        key = reminder.dedup_key
        if key.endswith(suffix):
            reason = key.removesuffix(suffix)
            key = f"{reason}:{heir.pk}"
            if _held_elsewhere(reminder, reason, key):
                reminder.status = ReminderStatus.CANCELLED
                reminder.cancelled_at = timezone.now()
                reminder.save(update_fields=["status", "cancelled_at"])
                audit_record(
                    actor=by,
                    action="reminder.cancel",
                    target=reminder,
                    case_id=case.pk,
                    changed_fields=["status"],
                    detail={"reason": "held_by_another", "from": str(leaving.pk)},
                )
                covered += 1
                continue
        reminder.assignee = heir
        reminder.dedup_key = key
        reminder.emailed_at = None
        reminder.save(update_fields=["assignee", "dedup_key", "emailed_at"])
        audit_record(
            actor=by,
            action="reminder.hand_over",
            target=reminder,
            case_id=case.pk,
            changed_fields=["assignee"],
            detail={"from": str(leaving.pk), "to": str(heir.pk)},
        )
        moved += 1
    return {"moved": moved, "covered": covered}


@transaction.atomic
def reminder_policy_update(
    *,
    organisation: Organisation,
    by: User,
    reverify_after_days: int | Unset = UNSET,
    no_contact_after_days: int | Unset = UNSET,
    failures_before_escalation: int | Unset = UNSET,
    court_reminder_days_before: int | Unset = UNSET,
    court_reminder_working_days_before: int | Unset = UNSET,
    consent_review_lead_days: int | Unset = UNSET,
    police_update_overdue_days: int | Unset = UNSET,
    contact_request_response_working_days: int | Unset = UNSET,
    records_request_working_days: int | Unset = UNSET,
) -> ReminderPolicy:
    """Changes the organisation's reminder windows given; the rest keep their values."""
    changes = given(
        reverify_after_days=reverify_after_days,
        no_contact_after_days=no_contact_after_days,
        failures_before_escalation=failures_before_escalation,
        court_reminder_days_before=court_reminder_days_before,
        court_reminder_working_days_before=court_reminder_working_days_before,
        consent_review_lead_days=consent_review_lead_days,
        police_update_overdue_days=police_update_overdue_days,
        contact_request_response_working_days=contact_request_response_working_days,
        records_request_working_days=records_request_working_days,
    )
    policy, _ = ReminderPolicy.objects.select_for_update(no_key=True).get_or_create(
        organisation=organisation
    )
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
def preferences_update(
    *, user: User, email_each: bool | Unset = UNSET, daily_digest: bool | Unset = UNSET
) -> ReminderPreference:
    """How the person hears about reminders besides the app (an email each, a daily digest):
    where their reminders' case references go is a change like any other, so it is audited."""
    changes = given(email_each=email_each, daily_digest=daily_digest)
    preference, _ = ReminderPreference.objects.select_for_update(no_key=True).get_or_create(
        user=user
    )
    for field, value in changes.items():
        setattr(preference, field, value)
    preference.save()
    audit_record(
        actor=user,
        action="reminder_preferences.update",
        target=preference,
        organisation=user.organisation,
        changed_fields=changes,
    )
    return preference
