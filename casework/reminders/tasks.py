"""Celery tasks for reminders and messages: thin, idempotent, late-acknowledged. Each derives
its work from the database, so a lost, late or doubled task changes nothing."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

# PostgreSQL unreachable: retried like every task of the service (casework.celery).
DATABASE_ERRORS = (OperationalError, InterfaceError)
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError, *DATABASE_ERRORS)


@shared_task(name="casework.reminders.tasks.scan_reminders")
def scan_reminders() -> dict:
    from .scan import run_scan

    results = run_scan()
    email_due_reminders.delay()
    return {kind: vars(result) for kind, result in results.items()}


@shared_task(name="casework.reminders.tasks.email_due_reminders")
def email_due_reminders() -> int:
    from .notify import reminders_to_email

    ids = list(reminders_to_email().values_list("pk", flat=True)[:500])
    for reminder_id in ids:
        email_reminder.delay(str(reminder_id))
    return len(ids)


@shared_task(
    name="casework.reminders.tasks.email_reminder",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def email_reminder(reminder_id: str) -> bool:
    from .notify import email_reminder as send

    return send(reminder_id)


@shared_task(name="casework.reminders.tasks.send_daily_digests")
def send_daily_digests() -> int:
    from .notify import digest_recipients

    now = timezone.localtime()
    if now.hour < settings.REMINDER_DIGEST_HOUR:
        return 0
    users = list(digest_recipients(now.date()))
    for user_id in users:
        send_digest.delay(str(user_id), now.date().isoformat())
    return len(users)


@shared_task(
    name="casework.reminders.tasks.send_digest",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def send_digest(user_id: str, day: str) -> bool:
    from datetime import date

    from .notify import send_digest as send

    return send(user_id, date.fromisoformat(day))


@shared_task(name="casework.reminders.tasks.send_due_messages")
def send_due_messages() -> int:
    from .choices import MessageStatus
    from .models import OutboundMessage

    ids = list(
        OutboundMessage.objects.filter(status=MessageStatus.PLANNED, send_after__lte=timezone.now())
        .order_by("send_after")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        send_message.delay(str(message_id))
    return len(ids)


@shared_task(
    name="casework.reminders.tasks.send_message",
    autoretry_for=(ConnectionError, TimeoutError, *DATABASE_ERRORS),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=10,
)
def send_message(message_id: str) -> str:
    from .gateway import TemporaryFailure
    from .messages import message_claim, message_deliver

    message_claim(message_id)
    try:
        return message_deliver(message_id)
    except TemporaryFailure as error:
        raise send_message.retry(exc=error, countdown=60) from error


@shared_task(name="casework.reminders.tasks.recover_stuck_messages")
def recover_stuck_messages() -> dict:
    from .messages import recover_stuck

    return recover_stuck()
