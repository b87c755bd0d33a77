"""Webhook subscriptions, the events they ask for, and the deliveries that tell them.

A delivery is written in the same transaction as the change it tells of (an outbox), so a change
that commits is told and one that rolls back is not. What a delivery carries is not stored: it is
built when it is sent, from what the receiving organisation may see at that moment."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from casework.core.versioning import Versioned
from casework.crypto import EncryptedTextField

from .choices import DeliveryStatus, EventType, PauseReason

User = settings.AUTH_USER_MODEL


class WebhookSubscription(Versioned):
    """An organisation's endpoint, the events it wants, and the secret its deliveries are signed
    with. After a rotation the previous secret keeps signing beside the new one until
    ``previous_secret_expires_at``, so a receiver can change over without missing a delivery."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    url = models.URLField(max_length=500)
    events = ArrayField(models.CharField(max_length=40, choices=EventType.choices))
    active = models.BooleanField(default=True)
    secret = EncryptedTextField(max_length=100)
    previous_secret = EncryptedTextField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=16, choices=PauseReason.choices, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A delivery's outcome is bookkeeping, not an edit: it leaves the ETag as it was.
    unversioned_fields = ("consecutive_failures", "updated_at")

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "active"], name="webhook_sub_org_active"),
            models.Index(fields=["organisation", "-created_at"], name="webhook_sub_org_created"),
        ]

    def __str__(self) -> str:
        return f"Webhook {self.pk} of {self.organisation_id}"


class WebhookEvent(models.Model):
    """Something an organisation's systems asked to hear of. ``subject`` names the records it
    is about by id only; what the receiver is shown of them is decided at delivery."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(max_length=40, choices=EventType.choices)
    version = models.PositiveSmallIntegerField(default=1)
    occurred_at = models.DateTimeField()
    subject = models.JSONField(default=dict, help_text="Ids only.")

    def __str__(self) -> str:
        return f"{self.type} for {self.organisation_id}"


class WebhookDelivery(models.Model):
    """One event to one subscription. Its id is the ``webhook-id`` every attempt carries, so a
    receiver that got it twice (a worker killed after sending) can tell."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    retry_until = models.DateTimeField(help_text="No attempt is made after this.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=40, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(
                fields=["subscription", "-created_at", "-id"], name="webhook_delivery_log"
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"
