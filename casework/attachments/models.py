"""Files kept on a case (a screenshot of threats, a photo of an injury, a letter from the Crown
Prosecution Service, a signed safety plan), and the choice to let a force see one of them.

The file itself is never in the database: it is sealed with AES-256-GCM under a key of its own
(``data_key``) and written to the attachment storage (``storage.py``). The data key is an
encrypted field like any other, so the keyring seals it and ``rotate_encryption_keys`` re-seals
it under a new primary key without reading or rewriting the file. What the charity typed about a
file (its description, the name it was uploaded under) is encrypted too; what Casework measured
(its type, its size) is not."""

import uuid

from django.conf import settings
from django.db import models

from casework.core.versioning import Versioned
from casework.crypto import EncryptedTextField

from .choices import AttachmentKind, FileFamily

User = settings.AUTH_USER_MODEL


class Attachment(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=32, choices=AttachmentKind.choices)
    description = EncryptedTextField(max_length=1000, blank=True, default="")
    original_name = EncryptedTextField(
        max_length=255,
        blank=True,
        default="",
        help_text="The name the file was uploaded under, for the charity; never used to serve it.",
    )
    family = models.CharField(max_length=8, choices=FileFamily.choices)
    media_type = models.CharField(max_length=120, help_text="Found from the content itself.")
    extension = models.CharField(max_length=8, help_text="The extension of the served name.")
    size = models.PositiveBigIntegerField(help_text="Bytes of the file as kept (after cleaning).")
    content_hash = models.CharField(
        max_length=64, help_text="A keyed hash of the file as kept, to detect corruption."
    )
    storage_name = models.CharField(
        max_length=100, unique=True, help_text="Where the sealed file is, in attachment storage."
    )
    data_key = EncryptedTextField(help_text="The file's own key, sealed by the field keyring.")
    contact_log_entry = models.ForeignKey(
        "cases.ContactLogEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    note = models.ForeignKey(
        "cases.Note", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    court_event = models.ForeignKey(
        "court.CourtEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [
            models.Index(
                fields=["case", "-uploaded_at", "-id"],
                condition=models.Q(retired_at__isnull=True),
                name="attachment_case_listed",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Attachment {self.id} ({self.kind})"

    @property
    def served_name(self) -> str:
        """A neutral name to serve the file under: nothing a client typed, nothing identifying."""
        return f"attachment-{str(self.id)[:8]}.{self.extension}"

    @property
    def export_name(self) -> str:
        """Where the file sits in a subject-access export's ZIP."""
        return f"attachments/{self.id}.{self.extension}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class AttachmentShare(models.Model):
    """One attachment made visible to the force of one identified share, by a caseworker's
    choice, until the choice is withdrawn or the share ends (a new share starts with none)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="shares")
    shared_case = models.ForeignKey(
        "sharing.SharedCase", on_delete=models.PROTECT, related_name="attachment_shares"
    )
    shared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField()
    disclosure = models.ForeignKey(
        "disclosures.Disclosure",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The record of what was disclosed, and under which consent.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-shared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "shared_case"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="attachment_share_one_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["shared_case", "-shared_at"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="attachment_share_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attachment_id} on {self.shared_case_id}"
