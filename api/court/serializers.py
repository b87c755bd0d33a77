"""Hearings, justice decisions, entitlements, caseloads and the calendar feed."""

from rest_framework import serializers

from casework.court import rights
from casework.court.choices import (
    HearingStatus,
    HearingType,
    JusticeDecisionKind,
    RightProvider,
    RightState,
    SpecialMeasure,
    VictimRight,
)
from casework.court.models import CourtEvent, CourtEventDateChange, Entitlement, JusticeDecision

from ..fields import ChoiceList, Moment, StrictInput
from ..rows import Row, day, moment


class DateChangeOutput(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = CourtEventDateChange
        fields = ["previous_starts_at", "new_starts_at", "reason", "changed_at", "changed_by"]
        read_only_fields = fields


class CourtEventOutput(serializers.ModelSerializer):
    attendees = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    date_changes = DateChangeOutput(many=True, read_only=True)

    class Meta:
        model = CourtEvent
        fields = [
            "id",
            "hearing_type",
            "court",
            "starts_at",
            "status",
            "outcome",
            "special_measures_requested",
            "special_measures_granted",
            "pre_trial_visit_done",
            "attendees",
            "added_by_police",
            "date_changes",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class PoliceCourtEventOutput(serializers.ModelSerializer):
    """What a sharing force sees of a hearing: not who from the charity attends."""

    class Meta:
        model = CourtEvent
        fields = [
            "id",
            "hearing_type",
            "court",
            "starts_at",
            "status",
            "outcome",
            "special_measures_requested",
            "special_measures_granted",
            "added_by_police",
        ]
        read_only_fields = fields


class CourtEventInput(StrictInput):
    hearing_type = serializers.ChoiceField(choices=HearingType.choices)
    court = serializers.CharField(max_length=160)
    starts_at = Moment()
    status = serializers.ChoiceField(choices=HearingStatus.choices, default=HearingStatus.LISTED)
    outcome = serializers.CharField(max_length=500, required=False, allow_blank=True)
    special_measures_requested = ChoiceList(SpecialMeasure.choices, required=False)
    special_measures_granted = ChoiceList(SpecialMeasure.choices, required=False)
    pre_trial_visit_done = serializers.BooleanField(required=False)
    attendees = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=10)


class CourtEventUpdateInput(CourtEventInput):
    date_change_reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PoliceCourtEventInput(StrictInput):
    hearing_type = serializers.ChoiceField(choices=HearingType.choices)
    court = serializers.CharField(max_length=160)
    starts_at = Moment()
    special_measures_requested = ChoiceList(SpecialMeasure.choices, required=False)
    special_measures_granted = ChoiceList(SpecialMeasure.choices, required=False)


class DecisionInput(StrictInput):
    kind = serializers.ChoiceField(choices=JusticeDecisionKind.choices, required=False)
    decided_on = serializers.DateField()
    client_told_on = serializers.DateField(required=False, allow_null=True)


class DirectDecisionInput(DecisionInput):
    """A decision recorded on its own: nothing else says which kind it is."""

    kind = serializers.ChoiceField(choices=JusticeDecisionKind.choices)


class DecisionOutput(serializers.ModelSerializer):
    due_on = serializers.DateField(source="entitlement.due_on", read_only=True)
    entitlement_status = serializers.CharField(source="entitlement.status", read_only=True)

    class Meta:
        model = JusticeDecision
        fields = [
            "id",
            "kind",
            "decided_on",
            "client_told_on",
            "due_on",
            "entitlement_status",
            "recorded_at",
        ]
        read_only_fields = fields


class ClientToldInput(StrictInput):
    told_on = serializers.DateField()


class CaseReference(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class EntitlementOutput(serializers.ModelSerializer):
    case = CaseReference(read_only=True)
    decision = serializers.CharField(
        source="decision.kind", read_only=True, allow_null=True, default=None
    )
    decided_on = serializers.DateField(
        source="decision.decided_on", read_only=True, allow_null=True, default=None
    )
    paragraph = serializers.SerializerMethodField(
        help_text="Where the Victims' Code sets this right (and its period)."
    )
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "case",
            "right",
            "paragraph",
            "provider",
            "triggered_on",
            "decision",
            "decided_on",
            "working_days",
            "enhanced",
            "due_on",
            "status",
            "met_on",
            "acknowledged_on",
            "not_applicable_reason",
            "overdue",
        ]
        read_only_fields = fields

    def get_paragraph(self, entitlement: Entitlement) -> str:
        return rights.PARAGRAPH[entitlement.right]


class CaseEntitlementOutput(EntitlementOutput):
    """An entitlement on the case being read (the case itself is the page's)."""

    class Meta(EntitlementOutput.Meta):
        fields = [f for f in EntitlementOutput.Meta.fields if f not in ("case", "overdue")]
        read_only_fields = fields


class RightOutput(serializers.Serializer):
    right = serializers.ChoiceField(choices=VictimRight.choices)
    paragraph = serializers.CharField()
    state = serializers.ChoiceField(
        choices=RightState.choices,
        help_text="Not applicable also when nothing has triggered the right on this case yet.",
    )
    triggered = serializers.BooleanField()
    entitlements = CaseEntitlementOutput(many=True)


class CaseRightsOutput(serializers.Serializer):
    enhanced = serializers.BooleanField(help_text="Enhanced rights under the Victims' Code.")
    rights = RightOutput(many=True)


class RightRecordInput(StrictInput):
    right = serializers.ChoiceField(
        choices=VictimRight.choices,
        help_text="Only the rights the case's own events cannot open: a qualifying sentence "
        "(victim_contact_scheme) or a complaint; the others are refused.",
    )
    triggered_on = serializers.DateField(help_text="The day of the sentence, or of the complaint.")
    provider = serializers.ChoiceField(
        choices=RightProvider.choices,
        required=False,
        help_text="A complaint: the service it is about.",
    )


class EntitlementMetInput(StrictInput):
    met_on = serializers.DateField()


class EntitlementNotApplicableInput(StrictInput):
    reason = serializers.CharField(max_length=500)


class ComplaintAcknowledgedInput(StrictInput):
    acknowledged_on = serializers.DateField()


class CaseloadItem(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    pseudonym = serializers.CharField(source="client.pseudonym")
    support_status = serializers.CharField()
    justice_stage = serializers.CharField()
    risk_level = serializers.CharField()
    next_court_date = serializers.DateTimeField(allow_null=True)
    next_overdue_entitlement = serializers.DateField(allow_null=True)
    next_entitlement_due = serializers.DateField(allow_null=True)
    last_successful_contact = serializers.DateTimeField(allow_null=True)


def caseload_row(row: Row) -> Row:
    """A row of ``CASELOAD_ROW`` as ``CaseloadItem`` writes it."""
    return {
        "id": str(row["id"]),
        "reference": row["reference"],
        "pseudonym": row["client__pseudonym"],
        "support_status": row["support_status"],
        "justice_stage": row["justice_stage"],
        "risk_level": row["risk_level"],
        "next_court_date": moment(row["next_court_date"]),
        "next_overdue_entitlement": day(row["next_overdue_entitlement"]),
        "next_entitlement_due": day(row["next_entitlement_due"]),
        "last_successful_contact": moment(row["last_successful_contact"]),
    }


class CalendarFeedOutput(serializers.Serializer):
    url = serializers.URLField(
        help_text="Shown once. Anyone with it can read the feed: keep it "
        "private, and revoke it if it leaks."
    )
    created_at = serializers.DateTimeField()
