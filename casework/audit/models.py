"""The audit trail: who did what to which record, when and from where. Append-only (the database
refuses updates, deletes and truncation) and hash-chained per organisation, so a row changed or
removed behind the database's back breaks the chain that ``verify_audit`` walks.

It never holds personal data: records are named by type and id, changes by field names only."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from casework.core.triggers import append_only


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    INTEGRATION = "integration", "Integration (API key)"
    SYSTEM = "system", "System (task or command)"


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chain = models.CharField(max_length=40, help_text="The organisation id, or 'platform'.")
    sequence = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_label = models.CharField(max_length=160)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    case_id = models.UUIDField(null=True, blank=True)
    changed_fields = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "sequence"], name="audit_chain_sequence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-occurred_at"], name="audit_org_time"),
            models.Index(fields=["case_id", "-occurred_at"], name="audit_case_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(
                fields=["organisation", "action", "-occurred_at"], name="audit_org_action"
            ),
        ]
        triggers = append_only("audit")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
