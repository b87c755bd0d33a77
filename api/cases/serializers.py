"""Referrals, cases, transitions, the contact log, notes and the timeline."""

from datetime import datetime, timedelta

from rest_framework import serializers

from casework.accounts.models import User
from casework.cases.choices import (
    ClosureReason,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    DeclineReason,
    Lifecycle,
    NoteVisibility,
    OffenceType,
    ReferralSource,
    RiskLevel,
    Urgency,
)
from casework.cases.lifecycles import JusticeStage, SupportStatus
from casework.cases.models import (
    Case,
    CaseAssignment,
    CaseTransition,
    ContactLogEntry,
    Note,
    Referral,
)
from casework.clients.choices import ContactKind

from ..clients.serializers import ClientInput, ClientSummary, SafeTimeWindow
from ..court.serializers import DecisionInput
from ..fields import ChoiceList, Moment, StrictInput, optional_choice
from ..rows import Row, day, moment, text

AREA_HELP = (
    "One of your organisation's areas (organisation-settings), or empty. Unlike incident_area, "
    "which stays with the charity, police see it while it is on the list."
)


class StaffSummary(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]
        read_only_fields = fields


class AssignmentOutput(serializers.ModelSerializer):
    user = StaffSummary(read_only=True)

    class Meta:
        model = CaseAssignment
        fields = ["user", "role", "assigned_at"]
        read_only_fields = fields


# --- referrals ---------------------------------------------------------------------------


class ReferralOutput(serializers.ModelSerializer):
    contact_safe_times = SafeTimeWindow(many=True, read_only=True)
    contact_kind = optional_choice(ContactKind.choices)
    decline_reason = optional_choice(DeclineReason.choices)
    case = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "source",
            "received_at",
            "summary",
            "incident_date",
            "offence_types",
            "urgency",
            "referrer_organisation",
            "referrer_name",
            "person_pseudonym",
            "contact_kind",
            "contact_value",
            "contact_safe_to_call",
            "contact_safe_to_text",
            "contact_safe_to_voicemail",
            "contact_safe_times",
            "status",
            "decline_reason",
            "decline_note",
            "decided_at",
            "case",
            "created_at",
        ]
        read_only_fields = fields


class ReferralListItem(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id",
            "source",
            "received_at",
            "incident_date",
            "offence_types",
            "urgency",
            "status",
        ]
        read_only_fields = fields


class ReferralInput(StrictInput):
    # A field named like the attribute Field.source, which the stubs take it for.
    source = serializers.ChoiceField(choices=ReferralSource.choices)  # type: ignore[assignment]
    received_at = Moment(required=False)
    summary = serializers.CharField(max_length=5000)
    incident_date = serializers.DateField(required=False, allow_null=True)
    offence_types = ChoiceList(OffenceType.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    referrer_organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    referrer_name = serializers.CharField(max_length=200, required=False, allow_null=True)
    person_pseudonym = serializers.CharField(max_length=100, required=False, allow_null=True)
    contact_kind = serializers.ChoiceField(
        choices=ContactKind.choices, required=False, allow_blank=True
    )
    contact_value = serializers.CharField(max_length=500, required=False, allow_null=True)
    contact_safe_to_call = serializers.BooleanField(required=False)
    contact_safe_to_text = serializers.BooleanField(required=False)
    contact_safe_to_voicemail = serializers.BooleanField(required=False)
    contact_safe_times = SafeTimeWindow(many=True, required=False)


class ReferralAcceptInput(StrictInput):
    client = serializers.UUIDField(required=False, help_text="An existing client of yours.")
    new_client = ClientInput(required=False, help_text="Or the details of a new client.")
    assigned_to = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=10
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    incident_area = serializers.CharField(max_length=120, required=False, allow_blank=True)
    area = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text=AREA_HELP
    )


class ReferralDeclineInput(StrictInput):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# --- cases -------------------------------------------------------------------------------


class CaseListItem(serializers.ModelSerializer):
    client = ClientSummary(read_only=True)
    assignments = AssignmentOutput(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "client",
            "support_status",
            "justice_stage",
            "risk_level",
            "offence_types",
            "incident_date",
            "opened_at",
            "closed_at",
            "assignments",
            "version",
        ]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict:
        """The case list is the most used page of the service. Written out by hand, the same
        fields in the same form as the declared ones (a test compares the two), it costs a
        third of DRF's generic walk over nested serializers (see docs/benchmarks.md)."""
        moment = _MOMENT.to_representation
        return {
            "id": str(case.id),
            "reference": case.reference,
            "client": {"id": str(case.client_id), "pseudonym": case.client.pseudonym},
            "support_status": case.support_status,
            "justice_stage": case.justice_stage,
            "risk_level": case.risk_level,
            "offence_types": list(case.offence_types),
            "incident_date": case.incident_date.isoformat() if case.incident_date else None,
            "opened_at": moment(case.opened_at),
            "closed_at": moment(case.closed_at) if case.closed_at else None,
            "assignments": [
                {
                    "user": {
                        "id": str(a.user.id),
                        "username": a.user.username,
                        "first_name": a.user.first_name,
                        "last_name": a.user.last_name,
                        "role": a.user.role,
                    },
                    "role": a.role,
                    "assigned_at": moment(a.assigned_at),
                }
                for a in case.assignments.all()
            ],
            "version": case.version,
        }

    def generic_representation(self, case: Case) -> dict:
        """DRF's own rendering of the declared fields, which the hand-written one must equal."""
        return super().to_representation(case)


_MOMENT = serializers.DateTimeField()


def case_row(row: Row) -> Row:
    """A row of ``CASE_ROW`` with its ``staff`` as ``CaseListItem`` writes the case."""
    return {
        "id": str(row["id"]),
        "reference": row["reference"],
        "client": {"id": str(row["client_id"]), "pseudonym": row["client__pseudonym"]},
        "support_status": row["support_status"],
        "justice_stage": row["justice_stage"],
        "risk_level": row["risk_level"],
        "offence_types": list(row["offence_types"]),
        "incident_date": day(row["incident_date"]),
        "opened_at": moment(row["opened_at"]),
        "closed_at": moment(row["closed_at"]),
        "assignments": [
            {
                "user": {
                    "id": a["user_id"],
                    "username": a["username"],
                    "first_name": a["first_name"],
                    "last_name": a["last_name"],
                    "role": a["user_role"],
                },
                "role": a["role"],
                "assigned_at": moment(datetime.fromisoformat(a["assigned_at"])),
            }
            for a in row["staff"] or ()
        ],
        "version": row["version"],
    }


class CaseDetail(CaseListItem):
    referral = serializers.PrimaryKeyRelatedField(read_only=True)
    closure_reason = optional_choice(ClosureReason.choices)
    etag = serializers.CharField(read_only=True)

    class Meta(CaseListItem.Meta):
        fields = [
            *CaseListItem.Meta.fields,
            "incident_area",
            "area",
            "closure_reason",
            "referral",
            "created_at",
            "updated_at",
            "etag",
        ]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict:
        return serializers.ModelSerializer.to_representation(self, case)


class CaseCreateInput(StrictInput):
    client = serializers.UUIDField()
    assigned_to = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=10
    )
    offence_types = ChoiceList(OffenceType.choices, required=False)
    incident_date = serializers.DateField(required=False, allow_null=True)
    incident_area = serializers.CharField(max_length=120, required=False, allow_blank=True)
    area = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text=AREA_HELP
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)


class CaseUpdateInput(StrictInput):
    offence_types = ChoiceList(OffenceType.choices, required=False)
    incident_date = serializers.DateField(required=False, allow_null=True)
    incident_area = serializers.CharField(max_length=120, required=False, allow_blank=True)
    area = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text=AREA_HELP
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)


class AssignInput(StrictInput):
    user = serializers.UUIDField()


# Every state either lifecycle can move to, so that a client generated from the schema can list
# them; which lifecycle a state belongs to, and whether the move is allowed, the service decides.
TRANSITION_TARGETS = [*SupportStatus.choices, *JusticeStage.choices]


class TransitionInput(StrictInput):
    lifecycle = serializers.ChoiceField(choices=Lifecycle.choices)
    to = serializers.ChoiceField(
        choices=TRANSITION_TARGETS,
        help_text="A support status (lifecycle `support`) or a justice stage (lifecycle "
        "`justice`). A state of the other lifecycle, or a move the transition table does not "
        "allow, answers 409 and changes nothing.",
    )
    reason = serializers.CharField(max_length=2000)
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True
    )
    decision = DecisionInput(
        required=False,
        help_text=(
            "For a justice move that is a decision the victim must be told about (charged, no "
            "further action, verdict, sentenced, appeal): when it was made and when the client "
            "was told. Opens the Victims' Code entitlement."
        ),
    )


class TransitionOutput(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    closure_reason = optional_choice(ClosureReason.choices)

    class Meta:
        model = CaseTransition
        fields = ["id", "lifecycle", "reason", "closure_reason", "occurred_at", "actor"]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so these are added by name.
        fields["from"] = serializers.CharField(source="from_state", read_only=True)
        fields["to"] = serializers.CharField(source="to_state", read_only=True)
        return fields


# --- contact log and notes ---------------------------------------------------------------


class ContactOutput(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    editable_until = serializers.DateTimeField(read_only=True)

    class Meta:
        model = ContactLogEntry
        fields = [
            "id",
            "occurred_at",
            "contact_method",
            "channel",
            "direction",
            "outcome",
            "duration_minutes",
            "note",
            "corrects",
            "recorded_at",
            "recorded_by",
            "updated_at",
            "editable_until",
        ]
        read_only_fields = fields


def contact_row(row: Row) -> Row:
    """A row of ``CONTACT_ROW`` as ``ContactOutput`` writes the entry."""
    return {
        "id": str(row["id"]),
        "occurred_at": moment(row["occurred_at"]),
        "contact_method": text(row["contact_method_id"]),
        "channel": row["channel"],
        "direction": row["direction"],
        "outcome": row["outcome"],
        "duration_minutes": row["duration_minutes"],
        "note": row["note"],
        "corrects": text(row["corrects_id"]),
        "recorded_at": moment(row["recorded_at"]),
        "recorded_by": row["recorded_by__username"],
        "updated_at": moment(row["updated_at"]),
        "editable_until": moment(
            row["recorded_at"] + timedelta(hours=ContactLogEntry.EDIT_WINDOW_HOURS)
        ),
    }


class ContactCreateInput(StrictInput):
    occurred_at = Moment()
    contact_method = serializers.UUIDField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    direction = serializers.ChoiceField(choices=ContactDirection.choices)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, allow_null=True)
    corrects = serializers.UUIDField(required=False, allow_null=True)


class ContactUpdateInput(StrictInput):
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, required=False, allow_null=True
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, allow_null=True)


class NoteOutput(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Note
        fields = ["id", "body", "visibility", "created_at", "author"]
        read_only_fields = fields


def note_row(row: Row) -> Row:
    """A row of ``NOTE_ROW`` as ``NoteOutput`` writes the note."""
    return {
        "id": str(row["id"]),
        "body": row["body"],
        "visibility": row["visibility"],
        "created_at": moment(row["created_at"]),
        "author": row["author__username"],
    }


class NoteInput(StrictInput):
    body = serializers.CharField(max_length=10000)
    visibility = serializers.ChoiceField(
        choices=NoteVisibility.choices, default=NoteVisibility.INTERNAL
    )


class TimelineItemOutput(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.CharField()
    occurred_at = Moment()
    actor = serializers.CharField(allow_null=True)
    data = serializers.DictField(  # type: ignore[assignment]  # a field, not Serializer.data
        help_text="What happened; its keys depend on the kind."
    )


class TimelinePage(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    results = TimelineItemOutput(many=True)
