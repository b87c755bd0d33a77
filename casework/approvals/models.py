"""A proposed action that must not rest on one person: it is done only when a second supervisor
of the same organisation approves exactly what was proposed.

``description`` is written by Casework from the action's ids and choices when it is proposed, and
``payload`` holds the same parameters the handler acts on; the approver approves what they read,
and nothing else happens. Free text (the reasons) is encrypted like every other."""

import uuid

from django.conf import settings
from django.db import models

from casework.crypto import EncryptedTextField

from .choices import ApprovalKind, ApprovalStatus

User = settings.AUTH_USER_MODEL


class Approval(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=ApprovalKind.choices)
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    description = models.TextField(
        max_length=1000, help_text="What will be done, written by Casework when it was proposed."
    )
    payload = models.JSONField(default=dict, help_text="Ids and choices the action is done with.")
    reason = EncryptedTextField(max_length=2000)
    client_not_told_reason = EncryptedTextField(
        max_length=2000,
        blank=True,
        help_text="Why the client is not told of the action (telling would increase the risk).",
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(max_length=2000, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="Ids of what was done.")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "status", "-proposed_at"], name="approval_org_status"
            ),
            models.Index(fields=["status", "expires_at"], name="approval_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="approval_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"])
                | (
                    models.Q(decided_by__isnull=False)
                    & ~models.Q(decided_by=models.F("proposed_by"))
                ),
                name="approval_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"
