"""The record of each erasure: who asked for it, why, and whether it overrode an open court case
(and then under whose approval). The reason is encrypted like every other free text."""

import uuid

from django.conf import settings
from django.db import models

from casework.core.triggers import append_only
from casework.crypto import EncryptedTextField


class ErasureRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = EncryptedTextField(max_length=2000)
    forced = models.BooleanField(help_text="Went ahead although a court case was open.")
    approval = models.ForeignKey(
        "approvals.Approval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The second supervisor's approval a forced erasure went ahead under.",
    )
    erased_at = models.DateTimeField()

    class Meta:
        triggers = append_only("erasure_record")

    def __str__(self) -> str:
        return f"Erasure of {self.client_id}"
