"""What left the charity, kept exactly as it was sent, and police requests for records.

A ``Disclosure`` is one package as its receiver got it: to which organisation, when, under
which consent decision (or, where the law allows sharing without consent, which override), and
the content byte for byte, encrypted like every other personal field. Packages that change over
time (the view a force has of a share) form a series of versions; a new version is kept only
when the content changes. The table is append-only: the database refuses edits and deletes
(anonymisation steps past the guard to clear the content, as it does for every record of a
case).

A ``RecordsRequest`` is a force asking, through its share, for records the charity holds, with
the conditions a police request for victim information must meet (section 44A of the Police,
Crime, Sentencing and Courts Act 2022, as inserted by section 28 of the Victims and Prisoners
Act 2024), the client being told, and a supervisor's decision."""

import uuid

from django.conf import settings
from django.db import models

from casework.core.triggers import append_only
from casework.crypto import EncryptedTextField

from .choices import DisclosureKind, RecordsDecision, RecordsRequestStatus

User = settings.AUTH_USER_MODEL


class Disclosure(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField(max_length=32, choices=DisclosureKind.choices)
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation (a police force) the package went to.",
    )
    destination = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where it went within that organisation, where it was pushed (a webhook's "
        "address); empty for what the organisation read through the API.",
    )
    shared_case = models.ForeignKey(
        "sharing.SharedCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
    )
    series = models.CharField(
        max_length=80, help_text="The package this is a version of (a share's view, a release)."
    )
    version = models.PositiveIntegerField()
    consent_decision = models.ForeignKey(
        "sharing.ConsentDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        help_text="The ledger entry the package was sent under.",
    )
    override_reference = models.UUIDField(
        null=True,
        blank=True,
        help_text="The consent override it was sent under, where it was sent without consent.",
    )
    content_type = models.CharField(max_length=80, default="application/json")
    content = EncryptedTextField(help_text="Exactly what the receiver got (UTF-8 text).")
    content_hash = models.CharField(
        max_length=64, help_text="A keyed hash of the content: a new version only when it changes."
    )
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person whose action sent it, where a person did.",
    )

    class Meta:
        ordering = ["-sent_at", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="disclosure_one_version"),
            models.CheckConstraint(
                condition=models.Q(consent_decision__isnull=False)
                | models.Q(override_reference__isnull=False),
                name="disclosure_has_a_basis",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-sent_at"], name="disclosure_case_time"),
            models.Index(fields=["series", "-version"], name="disclosure_latest"),
        ]
        triggers = append_only("disclosure")

    def __str__(self) -> str:
        return f"{self.kind} v{self.version} to {self.recipient_id}"

    @property
    def recipient_name(self) -> str:
        """The receiving organisation by name, as a subject-access export tells the client."""
        return self.recipient.name


class RecordsRequest(models.Model):
    """A force's request, through its share, for records the charity holds."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="records_requests"
    )
    shared_case = models.ForeignKey(
        "sharing.SharedCase", on_delete=models.PROTECT, related_name="records_requests"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    material = EncryptedTextField(max_length=2000, help_text="What material is asked for.")
    line_of_enquiry = EncryptedTextField(
        max_length=2000, help_text="The reasonable line of enquiry it is relevant to."
    )
    necessity = EncryptedTextField(max_length=2000, help_text="Why it is necessary.")
    proportionality = EncryptedTextField(max_length=2000, help_text="Why it is proportionate.")
    respond_by = models.DateField(
        help_text="The organisation's response time in working days from the request."
    )
    status = models.CharField(
        max_length=24,
        choices=RecordsRequestStatus.choices,
        default=RecordsRequestStatus.AWAITING_DECISION,
    )
    client_told_on = models.DateField(null=True, blank=True)
    client_not_told_reason = EncryptedTextField(
        max_length=2000,
        blank=True,
        help_text="Why the client is not told before a release (an exception), when they are not.",
    )
    client_notice_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client_notice_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=16, choices=RecordsDecision.choices, blank=True)
    decision_reason = EncryptedTextField(
        max_length=2000, blank=True, help_text="The supervisor's reasons, for the charity only."
    )
    reason_for_police = EncryptedTextField(
        max_length=500, blank=True, help_text="The short reason the force is given."
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    disclosure = models.OneToOneField(
        Disclosure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="released_for",
        help_text="What was released, as it was sent.",
    )

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["case", "-requested_at"], name="records_request_case"),
            models.Index(fields=["shared_case", "-requested_at"], name="records_request_share"),
            models.Index(fields=["status", "respond_by"], name="records_request_due"),
        ]

    def __str__(self) -> str:
        return f"Records request on {self.shared_case_id}"

    @property
    def client_notice_given(self) -> bool:
        """The client was told, or not telling them was recorded with its reason."""
        return self.client_told_on is not None or bool(self.client_not_told_reason)
