"""Support plans: needs, the safety plan and risk assessments. Every change is a new row, so the
plan's history is kept whole; the current plan is the latest row per need and per item."""

import uuid

from django.conf import settings
from django.db import models

from casework.cases.choices import RiskLevel
from casework.core.triggers import append_only
from casework.core.versioning import Versioned
from casework.crypto import EncryptedTextField

from .choices import NeedArea, NeedStatus, SafetyItemStatus

User = settings.AUTH_USER_MODEL


class NeedRecord(models.Model):
    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="need_records")
    need = models.CharField(max_length=24, choices=NeedArea.choices)
    status = models.CharField(max_length=16, choices=NeedStatus.choices)
    agency = EncryptedTextField(
        max_length=200, blank=True, help_text="Who the client was referred to."
    )
    note = EncryptedTextField(max_length=2000, null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["case", "need", "-id"], name="need_current")]
        triggers = append_only("need_record")

    def __str__(self) -> str:
        return f"{self.need}: {self.status}"


class SafetyPlanItem(Versioned):
    """One line of the safety plan; its content lives in its revisions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="safety_items")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Safety plan item {self.id}"


class SafetyPlanRevision(models.Model):
    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(SafetyPlanItem, on_delete=models.PROTECT, related_name="revisions")
    description = EncryptedTextField(max_length=2000)
    review_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=SafetyItemStatus.choices, default=SafetyItemStatus.ACTIVE
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["item", "-id"], name="safety_revision_current")]
        triggers = append_only("safety_revision")

    def __str__(self) -> str:
        return f"Revision {self.id} of {self.item_id}"


class RiskAssessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    assessed_on = models.DateField()
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    assessor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    notes = EncryptedTextField(max_length=5000, null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_on", "-recorded_at"]
        indexes = [models.Index(fields=["case", "-assessed_on"], name="risk_case_date")]
        triggers = append_only("risk_assessment")

    def __str__(self) -> str:
        return f"{self.level} on {self.assessed_on}"
