"""Clients and the ever-changing routes to reach them."""

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from casework.core.versioning import Versioned
from casework.crypto import EncryptedDateField, EncryptedListField, EncryptedTextField

from .choices import POLICE_ROUTE_KINDS, ContactKind, ContactStatus, VulnerabilityFlag, WorkSetting


class Client(Versioned):
    """A person a charity supports. The pseudonym is what they want to be called; it and every
    identity field are encrypted, and lists never show more than the pseudonym."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="clients"
    )
    pseudonym = EncryptedTextField(max_length=100)
    pseudonym_hash = models.CharField(max_length=64, db_index=True, editable=False)
    legal_name = EncryptedTextField(max_length=200, null=True, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    pronouns = EncryptedTextField(max_length=40, blank=True)
    languages = EncryptedListField(blank=True)
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = EncryptedTextField(max_length=40, blank=True)
    work_settings = ArrayField(
        models.CharField(max_length=16, choices=WorkSetting.choices), default=list, blank=True
    )
    vulnerability_flags = ArrayField(
        models.CharField(max_length=40, choices=VulnerabilityFlag.choices), default=list, blank=True
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="client_org_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_settings__contained_by=WorkSetting.values),
                name="client_work_settings_known",
            ),
            models.CheckConstraint(
                condition=models.Q(vulnerability_flags__contained_by=VulnerabilityFlag.values),
                name="client_vulnerability_flags_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Client {self.id}"


class ContactMethod(Versioned):
    """One way to reach a client, with what is safe on it. Methods are retired, never deleted, and a
    retired method never becomes current again (the database refuses it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contact_methods")
    kind = models.CharField(max_length=24, choices=ContactKind.choices)
    value = EncryptedTextField(max_length=500)
    value_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    third_party_name = EncryptedTextField(max_length=200, null=True, blank=True)
    safe_to_call = models.BooleanField(default=False)
    safe_to_text = models.BooleanField(default=False)
    safe_to_voicemail = models.BooleanField(default=False)
    safe_times = models.JSONField(
        default=list,
        blank=True,
        help_text='Safe windows, UK time: [{"days": ["mon"], "from": "10:00", "to": "16:00"}]',
    )
    preferred = models.BooleanField(default=False)
    police_may_use = models.BooleanField(
        default=False,
        help_text="The client chose this route for police to contact them directly, where they "
        "consent to direct contact. Only a phone or an email can carry it.",
    )
    status = models.CharField(
        max_length=16, choices=ContactStatus.choices, default=ContactStatus.UNVERIFIED
    )
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = EncryptedTextField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-preferred", "-created_at"]
        indexes = [
            models.Index(fields=["client", "status"], name="contact_method_client_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(preferred=True) & ~models.Q(status__in=["retired", "dead"]),
                name="contact_method_one_preferred",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="retired") | models.Q(retired_at__isnull=False),
                name="contact_method_retired_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(police_may_use=False)
                | models.Q(kind__in=sorted(POLICE_ROUTE_KINDS)),
                name="contact_method_police_route_kind",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="contact_method_retired_stays_retired",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status="retired") & ~pgtrigger.Q(new__status="retired"),
            ),
            pgtrigger.Protect(name="contact_method_never_deleted", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
