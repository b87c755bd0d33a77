"""Disclosures (what left the charity, as sent) and police requests for records, as the charity
reads them and as the force does."""

import json
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.disclosures.choices import RecordsDecision, ReleasedRecordKind
from casework.disclosures.models import Disclosure, RecordsRequest

from ..accounts.serializers import OrganisationSummary
from ..fields import StrictInput, optional_choice


class DisclosureListItem(serializers.ModelSerializer):
    recipient = OrganisationSummary(read_only=True)
    share_reference = serializers.CharField(
        source="shared_case.share_reference", read_only=True, allow_null=True
    )
    consent_decision = serializers.UUIDField(
        source="consent_decision.public_id",
        read_only=True,
        allow_null=True,
        help_text="The consent decision (ledger entry) it was sent under.",
    )
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "kind",
            "recipient",
            "destination",
            "share_reference",
            "version",
            "consent_decision",
            "override_reference",
            "content_type",
            "content_hash",
            "sent_at",
            "sent_by",
        ]
        read_only_fields = fields


class DisclosureDetail(DisclosureListItem):
    content = serializers.CharField(
        read_only=True, help_text="Exactly what the receiver got, as UTF-8 text."
    )

    class Meta(DisclosureListItem.Meta):
        fields = [*DisclosureListItem.Meta.fields, "content"]
        read_only_fields = fields


class RecordsRequestOutput(serializers.ModelSerializer):
    """A force's request as the charity's staff see it: everything, its reasons included."""

    share_reference = serializers.CharField(source="shared_case.share_reference", read_only=True)
    police_force = OrganisationSummary(source="shared_case.police_force", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    client_notice_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decision = optional_choice(RecordsDecision.choices)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    disclosure = serializers.UUIDField(
        source="disclosure_id",
        read_only=True,
        allow_null=True,
        help_text="What was released, as sent (see the case's disclosures).",
    )

    class Meta:
        model = RecordsRequest
        fields = [
            "id",
            "share_reference",
            "police_force",
            "requested_by",
            "requested_at",
            "material",
            "line_of_enquiry",
            "necessity",
            "proportionality",
            "respond_by",
            "status",
            "client_told_on",
            "client_not_told_reason",
            "client_notice_by",
            "decision",
            "decision_reason",
            "reason_for_police",
            "decided_by",
            "decided_at",
            "disclosure",
        ]
        read_only_fields = fields


class ReleasedRecord(serializers.Serializer):
    """One record released: a note (its time and text) or a contact log entry (when, how and
    the outcome, with its note)."""

    kind = serializers.ChoiceField(choices=ReleasedRecordKind.choices)
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField(required=False)
    body = serializers.CharField(required=False)
    occurred_at = serializers.DateTimeField(required=False)
    channel = serializers.CharField(required=False)
    direction = serializers.CharField(required=False)
    outcome = serializers.CharField(required=False)
    note = serializers.CharField(required=False, allow_null=True)


class ReleasedPackage(serializers.Serializer):
    records_request = serializers.UUIDField()
    decision = serializers.ChoiceField(choices=RecordsDecision.choices)
    summary = serializers.CharField(allow_null=True)
    records = ReleasedRecord(many=True)


class PoliceRecordsRequestOutput(serializers.ModelSerializer):
    """A request as the force that made it sees it: what it asked, where it stands, the
    decision with the short reason meant for the force, and what was released, exactly as it
    was sent. Nothing of the charity's own reasons or of the client's notice."""

    decision = optional_choice(RecordsDecision.choices)
    decided_on = serializers.SerializerMethodField()
    package = serializers.SerializerMethodField()

    class Meta:
        model = RecordsRequest
        fields = [
            "id",
            "material",
            "line_of_enquiry",
            "necessity",
            "proportionality",
            "requested_at",
            "status",
            "decision",
            "reason_for_police",
            "decided_on",
            "package",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_decided_on(self, request: RecordsRequest) -> str | None:
        if request.decided_at is None:
            return None
        return timezone.localdate(request.decided_at).isoformat()

    @extend_schema_field(ReleasedPackage(allow_null=True))
    def get_package(self, request: RecordsRequest) -> Any:
        if request.disclosure is None:
            return None
        return json.loads(request.disclosure.content)


class RecordsRequestInput(StrictInput):
    """What a force states when it asks: the material, the reasonable line of enquiry it is
    relevant to, and why the request is necessary and proportionate."""

    material = serializers.CharField(max_length=2000)
    line_of_enquiry = serializers.CharField(max_length=2000)
    necessity = serializers.CharField(max_length=2000)
    proportionality = serializers.CharField(max_length=2000)


class RecordsClientToldInput(StrictInput):
    """Either the day the client was told, or why they are not told (an exception)."""

    told_on = serializers.DateField(required=False)
    not_told_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ChosenRecord(StrictInput):
    kind = serializers.ChoiceField(choices=ReleasedRecordKind.choices)
    id = serializers.UUIDField()


class RecordsDecisionInput(StrictInput):
    decision = serializers.ChoiceField(choices=RecordsDecision.choices)
    reason = serializers.CharField(max_length=2000, help_text="The reasons, for the charity.")
    reason_for_police = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="The short reason the force is given (required to refuse).",
    )
    records = ChosenRecord(many=True, required=False, help_text="The records to release.")
    summary = serializers.CharField(
        max_length=10000,
        required=False,
        allow_blank=True,
        help_text="A written summary to release, beside or instead of records.",
    )

    def validate_records(self, value: list[dict[str, Any]]) -> list[tuple[str, Any]]:
        if len(value) > 200:
            raise serializers.ValidationError("Release at most 200 records at once.")
        return [(item["kind"], item["id"]) for item in value]
