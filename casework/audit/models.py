"""The audit trail: who did what to which record, when and from where. Append-only (the database
refuses updates, deletes and truncation, and the application's database role holds no right to
try) and chained per organisation with an HMAC under a key the database never sees, so a row
changed or removed behind the database's back breaks the chain that ``verify_audit`` walks.

It never holds personal data: records are named by type and id, changes by field names only.
An event lives in the chain of the organisation whose records it concerns (a police officer's
read of a shared case is in the charity's chain), and names the actor's own organisation
beside it."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
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
    actor_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organisation the actor belongs to (a police force reading a share).",
    )
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_label = models.CharField(max_length=160)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    case_id = models.UUIDField(null=True, blank=True)
    case_ids = ArrayField(
        models.UUIDField(),
        default=list,
        blank=True,
        help_text="Further cases one event covers (a page of shared cases read at once).",
    )
    client_id = models.UUIDField(null=True, blank=True)
    changed_fields = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    hash_key_id = models.CharField(
        max_length=16,
        blank=True,
        help_text="The audit key that made the hash (an HMAC); empty for the unkeyed first form.",
    )

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
            models.Index(fields=["client_id", "-occurred_at"], name="audit_client_time"),
            GinIndex(fields=["case_ids"], name="audit_case_ids"),
            models.Index(
                fields=["organisation", "actor_organisation", "-occurred_at"],
                name="audit_org_actor_org",
            ),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(
                fields=["organisation", "action", "-occurred_at"], name="audit_org_action"
            ),
        ]
        triggers = append_only("audit")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
