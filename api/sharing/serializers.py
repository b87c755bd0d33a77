"""Consent decisions, police involvement, and shared cases as police see them."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.accounts.selectors import organisations_to_name
from casework.clients.choices import POLICE_ROUTE_KINDS, ContactKind
from casework.sharing.choices import (
    OVERRIDE_DEFAULT_DAYS,
    OVERRIDE_MAX_DAYS,
    ChargingDecision,
    ConsentMethod,
    ConsentScope,
    ConsentState,
    ContactRoute,
    InvestigationStatus,
    OverrideGround,
    OverrideState,
    PoliceUpdateKind,
    SharedUnder,
)
from casework.sharing.models import ConsentDecision, PoliceInvolvement, SharedCase, SharedUpdate
from casework.sharing.selectors import (
    court_events_on_share,
    incident_month,
    listed_area,
    police_area,
    police_contact,
)
from permissions import fields as sections

from ..accounts.serializers import OrganisationSummary
from ..clients.serializers import SafeTimeWindow
from ..court.serializers import PoliceCourtEventOutput
from ..fields import StrictInput
from ..rows import Row, day, moment


class ConsentDecisionOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    police_force = OrganisationSummary(read_only=True, allow_null=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    follows_from = serializers.UUIDField(
        source="caused_by.public_id", read_only=True, allow_null=True
    )
    override_ground = serializers.SerializerMethodField(
        help_text="On an override: the safeguarding ground it was approved on."
    )
    approval = serializers.UUIDField(source="approval_id", read_only=True, allow_null=True)

    class Meta:
        model = ConsentDecision
        fields = [
            "id",
            "kind",
            "scope",
            "granted",
            "police_force",
            "method",
            "recorded_by",
            "recorded_at",
            "review_date",
            "note",
            "follows_from",
            "override_ground",
            "override_expires_at",
            "approval",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=OverrideGround.choices, allow_null=True))
    def get_override_ground(self, decision: ConsentDecision) -> str | None:
        return decision.override_ground or None


class CurrentConsentOutput(serializers.Serializer):
    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    police_force = OrganisationSummary(allow_null=True)
    state = serializers.ChoiceField(choices=ConsentState.choices)
    review_date = serializers.DateField(allow_null=True)
    decision = serializers.UUIDField(allow_null=True)


class CurrentOverrideOutput(serializers.Serializer):
    """The latest override per force: a share without the client's consent, on a ground."""

    police_force = OrganisationSummary()
    ground = serializers.ChoiceField(choices=OverrideGround.choices)
    expires_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=OverrideState.choices)
    decision = serializers.UUIDField()
    approval = serializers.UUIDField()
    ended_by = serializers.UUIDField(
        allow_null=True, help_text="The decision that ended it before its expiry, if one did."
    )


class ConsentLedgerOutput(serializers.Serializer):
    current = CurrentConsentOutput(many=True)
    overrides = CurrentOverrideOutput(many=True)
    history = ConsentDecisionOutput(many=True)


class ConsentOverrideInput(StrictInput):
    police_force = serializers.PrimaryKeyRelatedField(queryset=organisations_to_name())
    ground = serializers.ChoiceField(choices=OverrideGround.choices)
    reason = serializers.CharField(max_length=2000)
    days = serializers.IntegerField(
        min_value=1,
        max_value=OVERRIDE_MAX_DAYS,
        default=OVERRIDE_DEFAULT_DAYS,
        help_text="How long the override lasts from its approval.",
    )
    tell_client = serializers.BooleanField(
        default=True, help_text="False only where telling the client would increase the risk."
    )
    client_not_told_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Why telling the client would increase the risk (with tell_client false).",
    )


class ConsentOverrideEndInput(StrictInput):
    police_force = serializers.PrimaryKeyRelatedField(queryset=organisations_to_name())
    reason = serializers.CharField(max_length=2000)


class ConsentDecisionInput(StrictInput):
    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    granted = serializers.BooleanField()
    police_force = serializers.PrimaryKeyRelatedField(
        queryset=organisations_to_name(), required=False, allow_null=True
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
        queryset=organisations_to_name(), required=False, allow_null=True
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
    """Either the route the client chose for police (``direct``: a phone or an email, with how
    it may be used) or the charity's member of staff to go through (``through_charity``)."""

    route = serializers.ChoiceField(choices=ContactRoute.choices)
    kind = serializers.ChoiceField(
        choices=[(k, label) for k, label in ContactKind.choices if k in POLICE_ROUTE_KINDS],
        required=False,
    )
    value = serializers.CharField(required=False)
    safe_to_call = serializers.BooleanField(required=False)
    safe_to_text = serializers.BooleanField(
        required=False, help_text="Safe for written contact: a text, or an email."
    )
    safe_to_voicemail = serializers.BooleanField(required=False)
    safe_times = SafeTimeWindow(
        many=True, required=False, help_text="Only contact the client inside these (UK time)."
    )
    contact_through = serializers.CharField(
        required=False, help_text="The case's person at the charity, an active member of staff."
    )
    organisation = serializers.CharField(required=False)
    email = serializers.CharField(required=False)


class SharedCaseListItem(serializers.ModelSerializer):
    offence_types = serializers.ListField(source="case.offence_types", read_only=True)
    incident_date = serializers.SerializerMethodField(
        help_text="The full date on an identified share; null on anonymous intelligence."
    )
    incident_month = serializers.SerializerMethodField(help_text="The incident's month, YYYY-MM.")
    area = serializers.SerializerMethodField(
        help_text="The charity's area for the case, from its list of areas; null if none."
    )
    started_at = serializers.SerializerMethodField(
        help_text="When the share started, on an identified share; null on anonymous "
        "intelligence, whose start is given to the month only, so that it cannot be matched to "
        "the moment another share of the same case ended."
    )
    started_month = serializers.SerializerMethodField(help_text="The share's start, YYYY-MM.")
    shared_under = serializers.SerializerMethodField(
        help_text="`override`: shared without the client's consent, on a safeguarding override "
        "a second supervisor of the charity approved; `consent`: the client consented."
    )
    override_ground = serializers.SerializerMethodField(
        help_text="Under an override: its ground; null under consent."
    )
    override_until = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Under an override: when it ends (the share with it), unless the client "
        "consents before; null under consent.",
    )

    class Meta:
        model = SharedCase
        fields = [
            "id",
            "share_reference",
            "level",
            "shared_under",
            "override_ground",
            "override_until",
            "offence_types",
            "incident_date",
            "incident_month",
            "area",
            "started_at",
            "started_month",
            "review_date",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SharedUnder.choices))
    def get_shared_under(self, share: SharedCase) -> str:
        return SharedUnder.OVERRIDE if share.is_override else SharedUnder.CONSENT

    @extend_schema_field(serializers.ChoiceField(choices=OverrideGround.choices, allow_null=True))
    def get_override_ground(self, share: SharedCase) -> str | None:
        return share.override_ground or None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_started_at(self, share: SharedCase) -> str | None:
        if not sections.share_allows(share, sections.INCIDENT_DAY):
            return None
        return serializers.DateTimeField().to_representation(share.started_at)

    @extend_schema_field(serializers.CharField())
    def get_started_month(self, share: SharedCase) -> str:
        return timezone.localtime(share.started_at).strftime("%Y-%m")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_incident_date(self, share: SharedCase) -> str | None:
        if not sections.share_allows(share, sections.INCIDENT_DAY) or not share.case.incident_date:
            return None
        return share.case.incident_date.isoformat()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_incident_month(self, share: SharedCase) -> str | None:
        return incident_month(share.case)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_area(self, share: SharedCase) -> str | None:
        return police_area(share.case)


def shared_case_row(row: Row) -> Row:
    """A row of ``SHARED_CASE_ROW`` as ``SharedCaseListItem`` writes the share: the day of the
    incident and the moment of the start only where the share's level allows them."""
    to_the_day = sections.INCIDENT_DAY in sections.shared_sections(
        row["level"], contact_directly=row["contact_directly"]
    )
    incident_date = row["case__incident_date"]
    return {
        "id": str(row["id"]),
        "share_reference": row["share_reference"],
        "level": row["level"],
        "shared_under": SharedUnder.OVERRIDE if row["override_ground"] else SharedUnder.CONSENT,
        "override_ground": row["override_ground"] or None,
        "override_until": moment(row["override_until"]),
        "offence_types": list(row["case__offence_types"]),
        "incident_date": day(incident_date) if to_the_day else None,
        "incident_month": incident_date.strftime("%Y-%m") if incident_date else None,
        "area": listed_area(row["case__area"], row["case__organisation__areas"]),
        "started_at": moment(row["started_at"]) if to_the_day else None,
        "started_month": timezone.localtime(row["started_at"]).strftime("%Y-%m"),
        "review_date": day(row["review_date"]),
    }


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
    def get_court_events(self, share: SharedCase) -> list[Any] | None:
        if sections.JUSTICE not in self._sections(share):
            return None
        events = court_events_on_share(share).order_by("starts_at", "id")
        return list(PoliceCourtEventOutput(events, many=True).data)

    @extend_schema_field(SharedIdentity(allow_null=True))
    def get_identity(self, share: SharedCase) -> dict | None:
        if sections.IDENTITY not in self._sections(share):
            return None
        return SharedIdentity(share.case.client).data

    @extend_schema_field(SharedContact(allow_null=True))
    def get_contact(self, share: SharedCase) -> dict | None:
        granted = self._sections(share)
        if not granted & {sections.DIRECT_CONTACT, sections.CONTACT_THROUGH}:
            return None
        contact = police_contact(share, direct_allowed=sections.DIRECT_CONTACT in granted)
        if contact.method is not None:
            return SharedContact({"route": contact.route, **_route_fields(contact.method)}).data
        return SharedContact(
            {
                "route": contact.route,
                "contact_through": contact.contact_through,
                "organisation": contact.organisation,
                "email": contact.email,
            }
        ).data


def _route_fields(method) -> dict:
    """The route itself and how it may be used: its safety flags and safe times."""
    return {
        "kind": method.kind,
        "value": method.value,
        "safe_to_call": method.safe_to_call,
        "safe_to_text": method.safe_to_text,
        "safe_to_voicemail": method.safe_to_voicemail,
        "safe_times": method.safe_times,
    }


class EndedShareOutput(serializers.ModelSerializer):
    """That a share ended and on which day: never the moment, which could be matched to the
    start of the case's next share."""

    ended_on = serializers.SerializerMethodField()
    closed_contact_requests = serializers.ListField(
        child=serializers.UUIDField(),
        read_only=True,
        help_text="Your contact requests that were open when the share ended, now closed.",
    )

    class Meta:
        model = SharedCase
        fields = ["share_reference", "ended_on", "closed_contact_requests"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField())
    def get_ended_on(self, share: SharedCase) -> str:
        return timezone.localdate(share.ended_at).isoformat()


class SharedUpdateOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()  # type: ignore[assignment]  # a field, not Field.source

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
