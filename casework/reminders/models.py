"""Reminders for staff, their organisation's rules, and messages to clients.

Reminders are rows derived from database state by periodic scans; a unique de-duplication key
per reason makes every scan idempotent, so a scan that runs twice, late or halfway creates each
reminder exactly once."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from casework.core.versioning import Versioned
from casework.crypto import EncryptedTextField

from .choices import MessageChannel, MessagePurpose, MessageStatus, ReminderKind, ReminderStatus

User = settings.AUTH_USER_MODEL


def _days(
    default: int, maximum: int = 365, help_text: str = ""
) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=default,
        validators=[MinValueValidator(1), MaxValueValidator(maximum)],
        help_text=help_text,
    )


class ReminderPolicy(Versioned):
    """An organisation's windows. Every organisation has the defaults until a supervisor changes
    them."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reminder_policy"
    )
    reverify_after_days = _days(14, help_text="Re-verify contact details after this many days.")
    no_contact_after_days = _days(10, help_text="Flag an active client after this long unreached.")
    failures_before_escalation = _days(3, 20, "Failed attempts in a row before a supervisor hears.")
    court_reminder_days_before = _days(7, 60, "First court reminder, calendar days before.")
    court_reminder_working_days_before = _days(1, 10, "Last court reminder, working days before.")
    consent_review_lead_days = _days(7, 90, "Remind this many days before a consent review date.")
    police_update_overdue_days = _days(
        28, help_text="A shared case with no police update this long."
    )
    contact_request_response_working_days = _days(
        2, 10, "Working days to answer a police contact request before a supervisor hears."
    )
    records_request_working_days = _days(
        10, 60, "Working days to answer a police request for records before it is overdue."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "reminder policies"

    def __str__(self) -> str:
        return f"Reminder policy of {self.organisation_id}"


DEFAULT_POLICY = {
    field.name: field.default
    for field in ReminderPolicy._meta.concrete_fields
    if isinstance(field, models.PositiveSmallIntegerField)
}


class Reminder(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=ReminderKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        help_text="Empty for a reminder about the organisation's own set-up (a webhook).",
    )
    shared_case = models.ForeignKey(
        "sharing.SharedCase", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reminders")
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.OPEN
    )
    dedup_key = models.CharField(max_length=200, unique=True)
    detail = models.JSONField(default=dict, blank=True, help_text="Ids and dates only.")
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snooze_reason = EncryptedTextField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="reminder_assignee"),
            models.Index(fields=["organisation", "status", "due_at"], name="reminder_org"),
            models.Index(fields=["kind", "status"], name="reminder_kind_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="snoozed") | models.Q(snoozed_until__isnull=False),
                name="reminder_snoozed_has_until",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.assignee_id}"


class ReminderPreference(Versioned):
    """How a member of staff wants to hear about reminders besides the app."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder_preference")
    email_each = models.BooleanField(default=False, help_text="An email for each new reminder.")
    daily_digest = models.BooleanField(default=False, help_text="One email a day with all open.")

    def __str__(self) -> str:
        return f"Reminder preferences of {self.user_id}"


class DigestDelivery(models.Model):
    """One row per person per day: the digest goes once, however often the task runs."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user_id} on {self.day}"


class OutboundMessage(models.Model):
    """Something to tell a client, and when. Its route is chosen when it is sent, never when it
    was planned; it moves planned → sending → sent/failed under a row lock, once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="messages")
    purpose = models.CharField(max_length=16, choices=MessagePurpose.choices)
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    body = EncryptedTextField(max_length=480)
    send_after = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=MessageStatus.choices, default=MessageStatus.PLANNED
    )
    contact_method = models.ForeignKey(
        "clients.ContactMethod", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure_reason = EncryptedTextField(
        max_length=200, blank=True, help_text="A gateway's error can quote the address it refused."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-send_after"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="message_due"),
            models.Index(fields=["case", "-send_after"], name="message_case"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} message ({self.status})"


class GatewayDelivery(models.Model):
    """What the gateway accepted, keyed by the message: a second hand-over of the same message is
    refused by the unique key, so a retried or recovered send never reaches the client twice."""

    message = models.OneToOneField(
        OutboundMessage, on_delete=models.PROTECT, related_name="delivery"
    )
    backend = models.CharField(max_length=32)
    accepted_at = models.DateTimeField()
    reference = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return f"Delivery of {self.message_id}"
