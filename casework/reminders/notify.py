"""Telling staff about reminders by email: one email per new reminder for those who want it,
and a daily digest. Emails name the kind of reminder and the case reference, never the client;
a police officer's name the share reference only, never the charity's case reference.

An email is about a reminder its addressee can see when it is sent (``visible_to``, as the API):
a reminder about a share that has ended since, or about a case its holder was taken off, is not
mailed, on the first attempt or on any retry after a mail-server error."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.core.access import visible_to

from .choices import ReminderStatus
from .models import DigestDelivery, Reminder, ReminderPreference


def about(reminder: Reminder) -> str:
    """What an email says the reminder is about: a shared case by its share reference (the
    police never learn the charity's case reference), anything else by its case reference."""
    if reminder.shared_case is not None:
        return f"shared case {reminder.shared_case.share_reference}"
    if reminder.case is None:
        return "your organisation's webhooks"
    return f"case {reminder.case.reference}"


def _still_visible(reminder: Reminder) -> bool:
    mine = Reminder.objects.filter(pk=reminder.pk)
    return visible_to(mine, reminder.assignee).exists()


def reminders_to_email():
    """Open reminders, now due, not yet emailed, for people who asked for an email each."""
    wanting = ReminderPreference.objects.filter(email_each=True).values("user_id")
    return Reminder.objects.filter(
        status=ReminderStatus.OPEN,
        emailed_at__isnull=True,
        due_at__lte=timezone.now(),
        assignee_id__in=wanting,
        assignee__is_active=True,
    ).exclude(assignee__email="")


def email_reminder(reminder_id) -> bool:
    """Emails one reminder once, if its addressee can still see it. The row stays locked while
    the mail goes, so two workers never both send it; a mail-server error rolls back and the task
    retries later, checking again. One no longer visible is not sent and not retried: the next
    scan cancels it, or it has already gone to someone else. The transaction is its own
    (``durable``): the mail and the record that it went commit together, never later."""
    with transaction.atomic(durable=True):
        reminder = (
            Reminder.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("assignee", "case", "shared_case")
            .filter(pk=reminder_id, emailed_at__isnull=True, status=ReminderStatus.OPEN)
            .first()
        )
        if reminder is None or not _still_visible(reminder):
            return False
        send_mail(
            subject=f"Casework reminder: {reminder.get_kind_display()}",
            message=(
                f"{reminder.get_kind_display()} on {about(reminder)}, "
                f"due {timezone.localtime(reminder.due_at):%d %b %Y %H:%M}.\n"
                "Open Casework to see it."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[reminder.assignee.email],
        )
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["emailed_at"])
    return True


def digest_recipients(day):
    already = DigestDelivery.objects.filter(day=day, sent_at__isnull=False).values("user_id")
    return (
        ReminderPreference.objects.filter(daily_digest=True, user__is_active=True)
        .exclude(user__email="")
        .exclude(user_id__in=already)
        .values_list("user_id", flat=True)
    )


def send_digest(user_id, day) -> bool:
    """One digest per person per day, however often the task runs; the day's record commits
    with the mail, in a transaction of its own."""
    with transaction.atomic(durable=True):
        delivery: DigestDelivery | None
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(user_id=user_id, day=day)
        except IntegrityError:
            delivery = (
                DigestDelivery.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(user_id=user_id, day=day, sent_at__isnull=True)
                .first()
            )
            if delivery is None:
                return False
        person = User.objects.get(pk=user_id)
        due = Reminder.objects.filter(
            assignee_id=user_id, status=ReminderStatus.OPEN, due_at__lte=timezone.now()
        )
        reminders = list(
            visible_to(due, person).select_related("case", "shared_case").order_by("due_at")[:100]
        )
        if reminders:
            lines = [
                f"- {r.get_kind_display()}: {about(r)} "
                f"(due {timezone.localtime(r.due_at):%d %b %H:%M})"
                for r in reminders
            ]
            send_mail(
                subject=f"Casework: {len(reminders)} open reminder(s)",
                message="Your open reminders:\n" + "\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[person.email],
            )
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return bool(reminders)
