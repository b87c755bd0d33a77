"""Consent decisions, police involvement, and shared cases as police see them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.accounts.models import Organisation
from casework.clients.choices import ContactStatus
from casework.sharing.choices import (
    ChargingDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    ContactRoute,
    InvestigationStatus,
    PoliceUpdateKind,
)
from casework.sharing.models import ConsentDecision, PoliceInvolvement, SharedCase, SharedUpdate
from permissions import fields as sections

from ..accounts.serializers import OrganisationSummary
from ..clients.serializers import SafeTimeWindow
from ..court.serializers import PoliceCourtEventOutput
from ..fields import StrictInput


class ConsentDecisionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    police_force = OrganisationSummary(read_only=True, allow_null=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    follows_from = serializers.UUIDField(
        source="caused_by.public_id", read_only=True, allow_null=True
    )

    class Meta:
        model = ConsentDecision
        fields = [
            "id",
            "scope",
            "granted",
            "police_force",
            "method",
            "recorded_by",
            "recorded_at",
            "review_date",
            "note",
            "follows_from",
        ]
        read_only_fields = fields


class CurrentConsentOutput(serializers.Serializer):
    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    police_force = OrganisationSummary(allow_null=True)
    state = serializers.ChoiceField(choices=ConsentState.choices)
    review_date = serializers.DateField(allow_null=True)
    decision = serializers.UUIDField(allow_null=True)


class ConsentLedgerOutput(serializers.Serializer):
    current = CurrentConsentOutput(many=True)
    history = ConsentDecisionOutput(many=True)


class ConsentDecisionInput(StrictInput):
    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    granted = serializers.BooleanField()
    police_force = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    review_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True)


class PoliceInvolvementOutput(serializers.ModelSerializer):
    police_force = OrganisationSummary(read_only=True, allow_null=True)
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = PoliceInvolvement
        fields = [
            "police_force",
            "crime_reference",
            "officer_name",
            "officer_contact",
            "investigation_status",
            "charging_decision",
            "charging_decision_date",
            "version",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields


class PoliceInvolvementInput(StrictInput):
    police_force = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    crime_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    officer_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    officer_contact = serializers.CharField(max_length=200, required=False, allow_blank=True)
    investigation_status = serializers.ChoiceField(
        choices=InvestigationStatus.choices, required=False
    )
    charging_decision = serializers.ChoiceField(choices=ChargingDecision.choices, required=False)
    charging_decision_date = serializers.DateField(required=False, allow_null=True)


class SharedIdentity(serializers.Serializer):
    pseudonym = serializers.CharField()
    legal_name = serializers.CharField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    pronouns = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    interpreter_needed = serializers.BooleanField()
    interpreter_language = serializers.CharField()


class SharedContact(serializers.Serializer):
    route = serializers.ChoiceField(choices=ContactRoute.choices)
    kind = serializers.CharField(required=False)
    value = serializers.CharField(required=False)
    safe_to_call = serializers.BooleanField(required=False)
    safe_to_text = serializers.BooleanField(required=False)
    safe_to_voicemail = serializers.BooleanField(required=False)
    safe_times = SafeTimeWindow(many=True, required=False)
    contact_through = serializers.CharField(required=False, help_text="The caseworker's name.")
    organisation = serializers.CharField(required=False)
    email = serializers.CharField(required=False)


class SharedCaseListItem(serializers.ModelSerializer):
    offence_types = serializers.ListField(source="case.offence_types", read_only=True)
    incident_date = serializers.DateField(source="case.incident_date", read_only=True)
    area = serializers.CharField(source="case.incident_area", read_only=True)

    class Meta:
        model = SharedCase
        fields = [
            "id",
            "share_reference",
            "level",
            "offence_types",
            "incident_date",
            "area",
            "started_at",
            "review_date",
        ]
        read_only_fields = fields


class SharedCaseDetail(SharedCaseListItem):
    """Only the sections ``permissions.fields`` names for the share's level and consent appear;
    the others are null."""

    justice_stage = serializers.SerializerMethodField()
    police_involvement = serializers.SerializerMethodField()
    identity = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    court_events = serializers.SerializerMethodField()

    class Meta(SharedCaseListItem.Meta):
        fields = [
            *SharedCaseListItem.Meta.fields,
            "justice_stage",
            "police_involvement",
            "court_events",
            "identity",
            "contact",
        ]
        read_only_fields = fields

    def _sections(self, share: SharedCase) -> frozenset[str]:
        return sections.shared_sections(share.level, contact_directly=share.contact_directly)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_justice_stage(self, share: SharedCase) -> str | None:
        return share.case.justice_stage if sections.JUSTICE in self._sections(share) else None

    @extend_schema_field(PoliceInvolvementOutput(allow_null=True))
    def get_police_involvement(self, share: SharedCase) -> dict | None:
        if sections.JUSTICE not in self._sections(share):
            return None
        involvement = getattr(share.case, "police_involvement", None)
        if involvement is None or involvement.police_force_id not in (None, share.police_force_id):
            return None
        return PoliceInvolvementOutput(involvement).data

    @extend_schema_field(PoliceCourtEventOutput(many=True, allow_null=True))
    def get_court_events(self, share: SharedCase) -> list | None:
        if sections.JUSTICE not in self._sections(share):
            return None
        return PoliceCourtEventOutput(share.case.court_events.order_by("starts_at"), many=True).data

    @extend_schema_field(SharedIdentity(allow_null=True))
    def get_identity(self, share: SharedCase) -> dict | None:
        if sections.IDENTITY not in self._sections(share):
            return None
        return SharedIdentity(share.case.client).data

    @extend_schema_field(SharedContact(allow_null=True))
    def get_contact(self, share: SharedCase) -> dict | None:
        granted = self._sections(share)
        if sections.DIRECT_CONTACT in granted:
            method = _direct_route(share)
            if method is not None:
                return SharedContact(
                    {
                        "route": "direct",
                        **{
                            f: getattr(method, f)
                            for f in (
                                "kind",
                                "value",
                                "safe_to_call",
                                "safe_to_text",
                                "safe_to_voicemail",
                                "safe_times",
                            )
                        },
                    }
                ).data
        if granted & {sections.DIRECT_CONTACT, sections.CONTACT_THROUGH}:
            worker = _caseworker(share)
            return SharedContact(
                {
                    "route": "through_charity",
                    "contact_through": (worker.get_full_name() or worker.username)
                    if worker
                    else "",
                    "organisation": share.case.organisation.name,
                    "email": worker.email if worker else "",
                }
            ).data
        return None


def _direct_route(share: SharedCase):
    usable = [ContactStatus.VERIFIED, ContactStatus.UNVERIFIED]
    return (
        share.case.client.contact_methods.filter(status__in=usable)
        .order_by("-preferred", "-verified_at")
        .first()
    )


def _caseworker(share: SharedCase):
    assignment = (
        share.case.assignments.select_related("user").order_by("role", "assigned_at").first()
    )
    return assignment.user if assignment else None


class EndedShareOutput(serializers.ModelSerializer):
    class Meta:
        model = SharedCase
        fields = ["share_reference", "ended_at"]
        read_only_fields = fields


class SharedUpdateOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()

    class Meta:
        model = SharedUpdate
        fields = ["id", "kind", "body", "source", "author", "created_at"]
        read_only_fields = fields

    def get_source(self, update: SharedUpdate) -> str:
        return "police" if update.from_police else "charity"

    def get_author(self, update: SharedUpdate) -> str | None:
        """Police see their own officers' names; a charity author is shown as the charity."""
        if update.from_police:
            return (
                update.author.get_full_name() or update.author.username if update.author else None
            )
        return update.shared_case.case.organisation.name


class SharedUpdateInput(StrictInput):
    kind = serializers.ChoiceField(choices=PoliceUpdateKind.choices)
    body = serializers.CharField(max_length=5000)
