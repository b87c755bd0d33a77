"""The consent ledger, and the police sharing derived from it.

``ConsentDecision`` rows are the truth: append-only, the database refuses edits and deletes.
``SharedCase`` and its permission rows are derived state, rebuilt from the ledger in the same
transaction as every decision (and by ``rebuild_sharing`` if they ever drift)."""

import uuid

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.core.triggers import append_only
from casework.crypto import EncryptedTextField

from .choices import (
    ChargingDecision,
    ConsentMethod,
    ConsentScope,
    DecisionKind,
    InvestigationStatus,
    OverrideGround,
    ShareStatus,
    SharingLevel,
    UpdateKind,
)

User = settings.AUTH_USER_MODEL


class ConsentDecision(models.Model):
    """A client's decision on one scope, as recorded by a member of the charity's staff; or, of
    its own kind, a safeguarding override of the client's consent to share with one force, written
    only when a second supervisor approves its proposal, and the end of such an override."""

    id = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(max_length=40, choices=ConsentScope.choices)
    granted = models.BooleanField()
    police_force = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(
        max_length=16, choices=ConsentMethod.choices, blank=True, help_text="Empty on an override."
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    review_date = models.DateField(null=True, blank=True)
    note = EncryptedTextField(max_length=2000, null=True, blank=True)
    caused_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when this refusal follows from another (a withdrawal it rested on).",
    )
    kind = models.CharField(
        max_length=16, choices=DecisionKind.choices, default=DecisionKind.CONSENT
    )
    override_ground = models.CharField(max_length=24, choices=OverrideGround.choices, blank=True)
    override_expires_at = models.DateTimeField(null=True, blank=True)
    approval = models.ForeignKey(
        "approvals.Approval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The approved proposal an override was written under.",
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["case", "scope", "police_force", "-id"], name="consent_current"),
            models.Index(fields=["review_date"], name="consent_review_date"),
        ]
        constraints = [
            # The shape of each kind, held by the database: an override exists only with its
            # approval, ground, force and expiry, and a client's decision carries none of those.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="consent",
                        override_ground="",
                        override_expires_at__isnull=True,
                        approval__isnull=True,
                    )
                    & ~models.Q(method="")
                )
                | (
                    models.Q(
                        kind="override",
                        scope="share_with_police",
                        granted=True,
                        police_force__isnull=False,
                        override_expires_at__isnull=False,
                        approval__isnull=False,
                        review_date__isnull=True,
                    )
                    & ~models.Q(override_ground="")
                )
                | models.Q(
                    kind="override_end",
                    scope="share_with_police",
                    granted=False,
                    police_force__isnull=False,
                    override_ground="",
                    override_expires_at__isnull=True,
                    approval__isnull=True,
                    review_date__isnull=True,
                ),
                name="consent_decision_kind_shape",
            ),
        ]
        triggers = append_only("consent")

    def __str__(self) -> str:
        verb = "granted" if self.granted else "refused"
        return f"{self.scope} {verb} on {self.case_id}"


class SharedCase(models.Model):
    """What one police force may see of one case, from one start to its end.

    The share reference is what police know the case by; the charity's case id and reference
    never reach them. A case has at most one active share per force; each new start (after an
    end, or on a change of level) is a new share, so earlier ones stay as they ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="shares")
    police_force = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="shared_cases"
    )
    share_reference = models.CharField(max_length=16, unique=True)
    level = models.CharField(max_length=16, choices=SharingLevel.choices)
    contact_directly = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=ShareStatus.choices)
    review_date = models.DateField(null=True, blank=True)
    override_ground = models.CharField(
        max_length=24,
        choices=OverrideGround.choices,
        blank=True,
        help_text="Set while the share rests on a safeguarding override, not on consent.",
    )
    override_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "police_force"],
                condition=models.Q(status="active"),
                name="shared_case_one_active",
            ),
        ]
        indexes = [
            models.Index(
                fields=["police_force", "status", "-started_at"], name="shared_case_force"
            ),
        ]

    def __str__(self) -> str:
        return self.share_reference

    @property
    def is_active(self) -> bool:
        return self.status == ShareStatus.ACTIVE

    @property
    def is_override(self) -> bool:
        return bool(self.override_ground)


class SharedUpdate(models.Model):
    """An update that flows across a share: posted by the force's police liaison, or shared by
    charity staff. Append-only; it appears on the charity's case timeline."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shared_case = models.ForeignKey(SharedCase, on_delete=models.PROTECT, related_name="updates")
    kind = models.CharField(max_length=40, choices=UpdateKind.choices)
    body = EncryptedTextField(max_length=5000)
    from_police = models.BooleanField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.ForeignKey(
        "cases.Note", on_delete=models.PROTECT, null=True, blank=True, related_name="shared_updates"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["shared_case", "-created_at"], name="shared_update_time")]
        triggers = append_only("shared_update")

    def __str__(self) -> str:
        return f"{self.kind} on {self.shared_case_id}"


class PoliceInvolvement(models.Model):
    """The police side of a case: which force, the crime reference, the officer in the case and
    where the investigation stands. Kept by the charity and, while it is shared, by the force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="police_involvement"
    )
    police_force = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    crime_reference = EncryptedTextField(max_length=40, blank=True)
    officer_name = EncryptedTextField(max_length=120, blank=True)
    officer_contact = EncryptedTextField(max_length=200, blank=True)
    investigation_status = models.CharField(
        max_length=24, choices=InvestigationStatus.choices, default=InvestigationStatus.NOT_STARTED
    )
    charging_decision = models.CharField(
        max_length=24, choices=ChargingDecision.choices, default=ChargingDecision.PENDING
    )
    charging_decision_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Police involvement in {self.case_id}"


SHARED_CASE_PERMISSIONS = frozenset({"view_sharedcase"})


class _SharedCasePermissionMixin:
    def save(self, *args, **kwargs):
        if self.permission.codename not in SHARED_CASE_PERMISSIONS:
            raise ValueError(f"{self.permission.codename} is not a shared-case permission")
        super().save(*args, **kwargs)


class SharedCaseUserObjectPermission(_SharedCasePermissionMixin, UserObjectPermissionBase):
    """Unused by design (police access is granted to a force's group, never to one officer), but
    guardian expects both tables; a test keeps it empty."""

    content_object = models.ForeignKey(SharedCase, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class SharedCaseGroupObjectPermission(_SharedCasePermissionMixin, GroupObjectPermissionBase):
    """The force's police liaison group may view the shared case: present exactly while the share
    is active, derived from the consent ledger."""

    content_object = models.ForeignKey(SharedCase, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
