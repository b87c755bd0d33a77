"""Telling staff about reminders by email: one email per new reminder for those who want it,
and a daily digest. Emails name the kind of reminder and the case reference, never the client."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .choices import ReminderStatus
from .models import DigestDelivery, Reminder, ReminderPreference


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
    """Emails one reminder once. The row stays locked while the mail goes, so two workers never
    both send it; a mail-server error rolls back and the task retries later."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("assignee", "case")
            .filter(pk=reminder_id, emailed_at__isnull=True, status=ReminderStatus.OPEN)
            .first()
        )
        if reminder is None:
            return False
        send_mail(
            subject=f"Casework reminder: {reminder.get_kind_display()}",
            message=(
                f"{reminder.get_kind_display()} on case {reminder.case.reference}, "
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
    """One digest per person per day, however often the task runs."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(user_id=user_id, day=day)
        except IntegrityError:
            delivery = (
                DigestDelivery.objects.select_for_update(skip_locked=True)
                .filter(user_id=user_id, day=day, sent_at__isnull=True)
                .first()
            )
            if delivery is None:
                return False
        reminders = list(
            Reminder.objects.filter(
                assignee_id=user_id, status=ReminderStatus.OPEN, due_at__lte=timezone.now()
            )
            .select_related("case", "assignee")
            .order_by("due_at")[:100]
        )
        if reminders:
            lines = [
                f"- {r.get_kind_display()}: {r.case.reference} "
                f"(due {timezone.localtime(r.due_at):%d %b %H:%M})"
                for r in reminders
            ]
            send_mail(
                subject=f"Casework: {len(reminders)} open reminder(s)",
                message="Your open reminders:\n" + "\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[reminders[0].assignee.email],
            )
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return bool(reminders)
