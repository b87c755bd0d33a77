"""Alerts: what a person who reported chose to warn others about, made fit to publish.

An alert belongs to the case it was drafted from, and the case keeps that link for the charity;
nothing a subscriber sees carries it (the feed names an alert by its own reference). Its text
and identifiers are encrypted like every other free text; each identifier also keeps a keyed
hash of its normalised value under the checker's own key, with that key's id, so the checker
compares hashes and the key can be rotated (``rehash_checker_identifiers``)."""

import uuid

from django.conf import settings
from django.db import models

from casework.crypto import EncryptedTextField

from .choices import AlertStatus, IdentifierKind, RetractionReason

User = settings.AUTH_USER_MODEL


class Alert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        max_length=16, unique=True, editable=False, help_text="What subscribers know it by."
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="alerts")
    consent_decision = models.ForeignKey(
        "sharing.ConsentDecision",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The warn_others grant the alert was drafted under.",
    )
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.DRAFT)
    what_happened = EncryptedTextField(max_length=4000)
    offender_description = EncryptedTextField(max_length=2000, blank=True)
    area = models.CharField(max_length=100, help_text="One of the organisation's areas.")
    week_of = models.DateField(help_text="The Monday of the week it happened: never the day.")
    show_identifiers = models.BooleanField(
        default=False,
        help_text="Whether the feed shows the identifiers; otherwise only the checker uses them.",
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    revises = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="The published alert this draft would update, once approved.",
    )
    approval = models.ForeignKey(
        "approvals.Approval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The latest proposal to publish it.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.CharField(
        max_length=24, choices=RetractionReason.choices, blank=True
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was retracted or expired."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="alert_case"),
            models.Index(fields=["organisation", "status", "-published_at"], name="alert_feed"),
            models.Index(fields=["status", "expires_at"], name="alert_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["published", "updated"])
                | (
                    models.Q(published_at__isnull=False)
                    & models.Q(reviewed_by__isnull=False)
                    & ~models.Q(reviewed_by=models.F("author"))
                ),
                name="alert_published_by_a_second_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="retracted") | models.Q(retracted_at__isnull=False),
                name="alert_retraction_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.reference} ({self.status})"


class AlertIdentifier(models.Model):
    """A phone number, email, vehicle registration or handle of the offender, normalised."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    value = EncryptedTextField(max_length=500)
    value_hash = models.CharField(max_length=64, editable=False)
    hash_key_id = models.CharField(
        max_length=16, editable=False, help_text="Which checker key made value_hash."
    )

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["value_hash"], name="alert_identifier_hash")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of alert {self.alert_id}"


class CheckerUsage(models.Model):
    """How many checker queries a caller made in a day: the only trace a query leaves."""

    caller = models.CharField(
        max_length=64, help_text="An API key's public id or a person's id, prefixed by its kind."
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField()
    queries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "caller"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "day"], name="checker_usage_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.caller} on {self.day}: {self.queries}"
