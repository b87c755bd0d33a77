"""Court hearings, the decisions a victim must be told about, and the Victims' Code entitlements
those decisions create."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from casework.core.triggers import append_only
from casework.crypto import EncryptedTextField

from .choices import (
    EntitlementStatus,
    HearingStatus,
    HearingType,
    JusticeDecisionKind,
    RightProvider,
    SpecialMeasure,
    VictimRight,
)

User = settings.AUTH_USER_MODEL


def _measures() -> ArrayField:
    return ArrayField(
        models.CharField(max_length=40, choices=SpecialMeasure.choices), default=list, blank=True
    )


class CourtEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="court_events")
    hearing_type = models.CharField(max_length=32, choices=HearingType.choices)
    court = models.CharField(max_length=160)
    starts_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=HearingStatus.choices, default=HearingStatus.LISTED
    )
    outcome = EncryptedTextField(max_length=500, blank=True)
    special_measures_requested = _measures()
    special_measures_granted = _measures()
    pre_trial_visit_done = models.BooleanField(default=False)
    attendees: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        User, blank=True, related_name="+"
    )
    added_by_police = models.BooleanField(default=False)
    shared_case = models.ForeignKey(
        "sharing.SharedCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court_events",
        help_text="The share a police force added this hearing through: police see it on that "
        "share only, never on a later one.",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["case", "starts_at"], name="court_event_case_time"),
            models.Index(fields=["status", "starts_at"], name="court_event_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    special_measures_granted__contained_by=models.F("special_measures_requested")
                ),
                name="court_measures_granted_were_requested",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_hearing_type_display()} at {self.court}"


class CourtEventDateChange(models.Model):
    """A hearing moved: the old date stays on record. Append-only."""

    event = models.ForeignKey(CourtEvent, on_delete=models.PROTECT, related_name="date_changes")
    previous_starts_at = models.DateTimeField()
    new_starts_at = models.DateTimeField()
    reason = EncryptedTextField(max_length=500, blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-changed_at"]
        triggers = append_only("court_date_change")

    def __str__(self) -> str:
        return f"{self.previous_starts_at} → {self.new_starts_at}"


class JusticeDecision(models.Model):
    """A decision in the justice process that the victim has a right to be told about, with the
    date it was made and the date the client was told."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="decisions")
    transition = models.OneToOneField(
        "cases.CaseTransition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
    )
    kind = models.CharField(max_length=24, choices=JusticeDecisionKind.choices)
    decided_on = models.DateField()
    client_told_on = models.DateField(null=True, blank=True)
    told_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-decided_on", "-recorded_at"]
        indexes = [models.Index(fields=["case", "-decided_on"], name="decision_case_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.decided_on}"


class Entitlement(models.Model):
    """Something the Victims' Code says the client is owed, by whom, from when and by when: due
    on a date computed from the Code where it sets a period (``casework/court/rights.py``), met
    on the day it was done, or not applicable (with the reason).

    A decision's entitlement (Rights 6 and 9) is met when the client is told of the decision;
    the others are opened by what triggers them (reporting, a charge, a trial listed, a sentence,
    a complaint) and recorded as met by the ISVA."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="entitlements")
    right = models.CharField(
        max_length=32, choices=VictimRight.choices, default=VictimRight.TOLD_OF_DECISION
    )
    provider = models.CharField(
        max_length=24, choices=RightProvider.choices, default=RightProvider.POLICE
    )
    decision = models.OneToOneField(
        JusticeDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlement",
    )
    court_event = models.ForeignKey(
        CourtEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlements",
        help_text="The trial whose dates and witness role the client is told of (Right 8).",
    )
    triggered_on = models.DateField(
        null=True, blank=True, help_text="The day the entitlement arose: its period runs from it."
    )
    working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    enhanced = models.BooleanField(help_text="Enhanced rights under the Victims' Code.")
    due_on = models.DateField(
        null=True, blank=True, help_text="Empty where the Code sets no period of days."
    )
    status = models.CharField(
        max_length=16, choices=EntitlementStatus.choices, default=EntitlementStatus.OPEN
    )
    met_on = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(
        null=True, blank=True, help_text="A complaint (Right 12): when it was acknowledged."
    )
    not_applicable_reason = EncryptedTextField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="entitlement_status_due"),
            models.Index(fields=["case", "status", "due_on"], name="entitlement_case_due"),
        ]
        constraints = [
            # Rights that arise once per case; a trial, a decision or a complaint may recur.
            models.UniqueConstraint(
                fields=["case", "right"],
                condition=models.Q(
                    right__in=[
                        VictimRight.INFORMATION_ON_REPORTING,
                        VictimRight.REFERRAL_TO_SUPPORT,
                        VictimRight.PERSONAL_STATEMENT,
                        VictimRight.VICTIM_CONTACT_SCHEME,
                    ]
                ),
                name="entitlement_once_per_case",
            ),
            models.UniqueConstraint(
                fields=["court_event", "right"],
                condition=models.Q(court_event__isnull=False),
                name="entitlement_once_per_hearing",
            ),
            models.CheckConstraint(
                condition=models.Q(met_on__isnull=True)
                | models.Q(triggered_on__isnull=True)
                | models.Q(met_on__gte=models.F("triggered_on")),
                name="entitlement_met_after_trigger",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_on__isnull=True)
                | models.Q(acknowledged_on__gte=models.F("triggered_on")),
                name="entitlement_acknowledged_after_trigger",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_right_display()} by {self.due_on or 'no set date'}"


class CalendarFeed(models.Model):
    """A secret link to one member of staff's hearings as iCalendar. Only a hash of the secret is
    kept; revoking ends the link at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
