"""Organisations, the people who work in them, and the API keys of the systems that call us."""

import hashlib
import time
import uuid
from base64 import b32encode
from binascii import unhexlify
from typing import ClassVar
from urllib.parse import quote, urlencode

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex
from rest_framework_api_key.models import AbstractAPIKey

from casework.core.versioning import Versioned
from casework.crypto import EncryptedTextField

from .choices import OrganisationKind, Role, Scope

# Which roles fit which kind of organisation, for the database's own check. It restates
# choices.ROLES_BY_KIND as SQL; a test keeps the two in step.
ROLE_FITS_KIND_SQL = """
    IF NEW.organisation_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM accounts_organisation o
        WHERE o.id = NEW.organisation_id AND (
            (o.kind = 'charity' AND NEW.role IN ('caseworker', 'isva', 'supervisor'))
            OR (o.kind = 'police' AND NEW.role IN ('police_liaison'))
        )
    ) THEN
        RAISE EXCEPTION 'role % does not fit the kind of organisation %',
            NEW.role, NEW.organisation_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
"""


def default_stats_threshold() -> int:
    """A new organisation withholds what the deployment withholds."""
    return int(settings.STATS_SUPPRESSION_THRESHOLD)


class Organisation(Versioned):
    """A charity or a police force. Nothing crosses organisations but a consented share."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", "Use 2 to 8 capital letters, e.g. POW.")],
        help_text="Short code used in case references, e.g. POW in POW-2026-00042.",
    )
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    require_two_factor = models.BooleanField(
        default=False, help_text="Staff must sign in with a one-time code as well."
    )
    retention_years = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="Closed cases are anonymised this many years after closing.",
    )
    unconverted_retention_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Referrals declined or never accepted, and clients who never had a case, are "
        "anonymised this many months after the referral was decided or received, or the client "
        "recorded.",
    )
    areas = ArrayField(
        models.CharField(max_length=80),
        default=list,
        blank=True,
        size=200,
        help_text="The areas a case's incident may be placed in; police see an area only from "
        "this list, never the free text.",
    )
    attachment_max_bytes = models.PositiveIntegerField(
        default=20 * 1024 * 1024,
        validators=[MinValueValidator(1024), MaxValueValidator(1024 * 1024 * 1024)],
        help_text="The largest file staff may attach to a case, in bytes (never above the "
        "service's ATTACHMENTS_MAX_UPLOAD_BYTES).",
    )
    stats_threshold = models.PositiveSmallIntegerField(
        default=default_stats_threshold,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Published statistics withhold any count, and any median, over fewer cases "
        "than this. At least the deployment's STATS_SUPPRESSION_THRESHOLD; an organisation with "
        "a small population raises it.",
    )
    is_active = models.BooleanField(
        default=True,
        help_text="A deactivated organisation's staff cannot sign in and its API keys are refused.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{2,8}$"), name="organisation_code_format"
            ),
            models.CheckConstraint(
                condition=models.Q(stats_threshold__gte=1), name="organisation_stats_threshold_min"
            ),
        ]
        triggers = [
            # Roles were checked against the kind when people joined; changing the kind would
            # silently turn a caseworker into someone working for the police.
            pgtrigger.Protect(
                name="organisation_kind_immutable",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("kind"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_charity(self) -> bool:
        return self.kind == OrganisationKind.CHARITY

    @property
    def is_police(self) -> bool:
        return self.kind == OrganisationKind.POLICE


class StaffManager(UserManager):
    def get_by_natural_key(self, username):
        """Usernames are unique whatever their case, and sign in whatever their case."""
        return self.get(username__iexact=username)


class User(Versioned, AbstractUser):
    """A person who signs in. Everyone but a platform superuser belongs to one organisation with
    one role that fits the organisation's kind; the database enforces both."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    role = models.CharField(max_length=32, choices=Role.choices, null=True, blank=True)  # noqa: DJ001

    objects: ClassVar[StaffManager] = StaffManager()
    # Signing in is not an edit of the record: an ETag read before it still holds.
    unversioned_fields = ("last_login",)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(is_superuser=True)
                | models.Q(organisation__isnull=False, role__isnull=False),
                name="user_has_organisation_and_role",
            ),
            models.CheckConstraint(
                condition=models.Q(role__isnull=True) | models.Q(role__in=Role.values),
                name="user_role_known",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]
        triggers = [
            pgtrigger.Trigger(
                name="user_role_fits_organisation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=ROLE_FITS_KIND_SQL,
            ),
        ]

    def __str__(self) -> str:
        return self.username


class ApiKey(AbstractAPIKey):
    """A key for another system. Only its hash is stored; it acts for one organisation within its
    scopes and never as a person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_keys"
    )
    scopes = ArrayField(models.CharField(max_length=32, choices=Scope.choices), default=list)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scopes__contained_by=Scope.values), name="api_key_scopes_known"
            ),
        ]

    @property
    def audit_id(self) -> str:
        """The audit trail names a key by its public id; its primary key embeds its hash."""
        return str(self.public_id)


def hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code: the same whatever dashes, spaces or case it is typed
    with."""
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


class RecoveryCodeDevice(Device):
    """Single-use recovery codes for someone who has lost their authenticator. Only a SHA-256 of
    each code is kept (the codes carry 120 bits each, so no slow hash is needed), and a used code
    is deleted."""

    def verify_token(self, token: str) -> bool:
        digest = hash_recovery_code(token)
        deleted, _ = self.codes.filter(code_hash=digest).delete()
        return deleted == 1


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"Recovery code of device {self.device_id}"


def new_authenticator_secret() -> str:
    """160 random bits, hex-encoded: the length RFC 4226 recommends for HMAC-SHA-1."""
    return random_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app's TOTP secret, sealed with the field keyring.

    django-otp's own ``TOTPDevice`` keeps the secret in plaintext, and anyone holding a copy of
    the database could then make every person's codes. This device stores it as AES-256-GCM
    ciphertext like any other sensitive field (so ``rotate_encryption_keys`` re-seals it), and
    computes codes with django-otp's ``TOTP``. A code is good for its own 30-second step only,
    and never twice: a step at or before the last one accepted is refused."""

    step = 30
    t0 = 0
    digits = 6
    drift = 0
    tolerance = 0

    key = EncryptedTextField(
        max_length=80, default=new_authenticator_secret, help_text="Hex-encoded TOTP secret."
    )
    last_t = models.BigIntegerField(
        default=-1, help_text="The time step of the last code accepted; later codes only."
    )

    class Meta(Device.Meta):
        verbose_name = "authenticator device"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token) -> bool:
        if not self.verify_is_allowed()[0]:
            return False
        token = str(token)
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if token.isdigit() and totp.verify(int(token), self.tolerance, self.last_t + 1):
            self.last_t = totp.t()
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False

    @property
    def config_url(self) -> str:
        """The otpauth URI an authenticator app scans (Google's Key URI format)."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        label = self.user.get_username()
        params = {
            "secret": b32encode(self.bin_key).decode(),
            "algorithm": "SHA1",
            "digits": self.digits,
            "period": self.step,
        }
        query = urlencode(params)
        if issuer:
            label = f"{issuer}:{label}"
            query += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{query}"
