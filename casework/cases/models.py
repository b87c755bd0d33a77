"""Referrals, cases and everything logged against them."""

import uuid
from datetime import timedelta
from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.clients.choices import ContactKind
from casework.core.triggers import append_only, no_truncate
from casework.core.versioning import Versioned
from casework.crypto import EncryptedTextField

from .choices import (
    AssignmentRole,
    ClosureReason,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    DeclineReason,
    Lifecycle,
    NoteVisibility,
    OffenceType,
    ReferralSource,
    ReferralStatus,
    RiskLevel,
    Urgency,
)
from .lifecycles import JusticeStage, SupportStatus

User = settings.AUTH_USER_MODEL


def _offence_types() -> ArrayField:
    return ArrayField(
        models.CharField(max_length=32, choices=OffenceType.choices), default=list, blank=True
    )


class Referral(models.Model):
    """How a case arrives. It records how to reach the person safely, if at all, so that nobody is
    turned away for lack of a safe number."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(max_length=24, choices=ReferralSource.choices)
    received_at = models.DateTimeField()
    summary = EncryptedTextField(max_length=5000)
    incident_date = models.DateField(null=True, blank=True)
    offence_types = _offence_types()
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_name = EncryptedTextField(max_length=200, null=True, blank=True)
    person_pseudonym = EncryptedTextField(max_length=100, null=True, blank=True)
    contact_kind = models.CharField(max_length=24, choices=ContactKind.choices, blank=True)
    contact_value = EncryptedTextField(max_length=500, null=True, blank=True)
    contact_safe_to_call = models.BooleanField(default=False)
    contact_safe_to_text = models.BooleanField(default=False)
    contact_safe_to_voicemail = models.BooleanField(default=False)
    contact_safe_times = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    decline_reason = models.CharField(max_length=24, choices=DeclineReason.choices, blank=True)
    decline_note = EncryptedTextField(max_length=2000, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Free text and identities removed (retention)."
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by_api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "-received_at"], name="referral_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.id} ({self.status})"


class Case(models.Model):
    """One episode of support for one client, owned by one charity, with two lifecycles that only
    the transition service changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(max_length=24)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="cases")
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    assigned_staff: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        User, through="CaseAssignment", through_fields=("case", "user"), related_name="+"
    )
    offence_types = _offence_types()
    incident_date = models.DateField(null=True, blank=True)
    incident_area = EncryptedTextField(
        max_length=120,
        blank=True,
        help_text="Where it happened, in the charity's own words; never shown to police.",
    )
    area = models.CharField(
        max_length=80,
        blank=True,
        help_text="One of the organisation's areas; police see it only while it is on that list.",
    )
    risk_level = models.CharField(
        max_length=16, choices=RiskLevel.choices, default=RiskLevel.STANDARD
    )
    support_status = models.CharField(
        max_length=24, choices=SupportStatus.choices, default=SupportStatus.REFERRED
    )
    justice_stage = models.CharField(
        max_length=32, choices=JusticeStage.choices, default=JusticeStage.NONE
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=24, choices=ClosureReason.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Free text and identities removed (retention or erasure)."
    )
    last_reached_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the contact log last recorded the client reached or met, kept by the "
        "contact log's service so that a caseload can be put in order without reading the log.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(support_status="closed", closed_at__isnull=False)
                | (~models.Q(support_status="closed") & models.Q(closed_at__isnull=True)),
                name="case_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(offence_types__contained_by=OffenceType.values),
                name="case_offence_types_known",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-opened_at", "id"], name="case_org_opened"),
            models.Index(fields=["organisation", "support_status"], name="case_org_status"),
            models.Index(fields=["organisation", "justice_stage"], name="case_org_stage"),
            GinIndex(fields=["offence_types"], name="case_offence_types"),
            models.Index(fields=["client"], name="case_client"),
            # The list's search (``reference__icontains``) without reading every case of the
            # organisation: trigrams of the reference as the search compares it.
            GinIndex(OpClass(Upper("reference"), name="gin_trgm_ops"), name="case_reference_trgm"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.support_status == SupportStatus.CLOSED

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'


class CaseReferenceCounter(models.Model):
    """The last case number an organisation used in a year, for references like POW-2026-00042."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}: {self.last_number}"


class CaseAssignment(models.Model):
    """A member of staff working a case. Object permissions follow assignments: granted with one,
    removed with it, in the same transaction."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_assignments")
    role = models.CharField(max_length=16, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_assignment_unique"),
        ]
        indexes = [models.Index(fields=["user", "case"], name="case_assignment_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class CaseTransition(models.Model):
    """A change of support status or justice stage: who, when, why. Append-only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    lifecycle = models.CharField(max_length=16, choices=Lifecycle.choices)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    reason = EncryptedTextField(max_length=2000)
    closure_reason = models.CharField(max_length=24, choices=ClosureReason.choices, blank=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["case", "-occurred_at"], name="transition_case_time")]
        triggers = append_only("transition")

    def __str__(self) -> str:
        return f"{self.lifecycle}: {self.from_state} → {self.to_state}"


class ContactLogEntry(Versioned):
    """An attempt to reach the client, or contact from them. Editable for 24 hours after it was
    recorded, never deleted; later corrections are new entries that point at the old one."""

    EDIT_WINDOW_HOURS = 24

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    contact_method = models.ForeignKey(
        "clients.ContactMethod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_log",
    )
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=24, choices=ContactChannel.choices)
    direction = models.CharField(max_length=16, choices=ContactDirection.choices)
    outcome = models.CharField(max_length=24, choices=ContactOutcome.choices)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    note = EncryptedTextField(max_length=5000, null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name_plural = "contact log entries"
        indexes = [
            models.Index(fields=["case", "-occurred_at"], name="contact_case_time"),
            models.Index(fields=["contact_method", "-occurred_at"], name="contact_method_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__lte=24 * 60),
                name="contact_duration_within_a_day",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="contact_log_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="contact_log_edit_window",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.recorded_at < now() - interval '24 hours'"
                    " OR NEW.recorded_at IS DISTINCT FROM OLD.recorded_at"
                    " OR NEW.case_id IS DISTINCT FROM OLD.case_id"
                ),
            ),
            no_truncate("contact_log"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def editable_until(self):
        return self.recorded_at + timedelta(hours=self.EDIT_WINDOW_HOURS)


class Note(models.Model):
    """Free text on a case. Internal to the charity, or shared with police under current consent.
    Notes are never edited or deleted: a correction is a new note."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    body = EncryptedTextField(max_length=10000)
    visibility = models.CharField(
        max_length=16, choices=NoteVisibility.choices, default=NoteVisibility.INTERNAL
    )
    created_at = models.DateTimeField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "-created_at"], name="note_case_time")]
        triggers = append_only("note")

    def __str__(self) -> str:
        return f"Note {self.id}"


CASE_PERMISSIONS = frozenset({"view_case", "change_case"})


class _CasePermissionMixin:
    """Only the case permissions Casework uses can be stored; anything else is a bug."""

    def save(self, *args, **kwargs):
        if self.permission.codename not in CASE_PERMISSIONS:
            raise ValueError(f"{self.permission.codename} is not a case object permission")
        super().save(*args, **kwargs)


class CaseUserObjectPermission(_CasePermissionMixin, UserObjectPermissionBase):
    """Direct foreign-key permission rows for cases (django-guardian), per person."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class CaseGroupObjectPermission(_CasePermissionMixin, GroupObjectPermissionBase):
    """Direct foreign-key permission rows for cases, per group (an organisation's supervisors)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
