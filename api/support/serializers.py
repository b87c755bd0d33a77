from rest_framework import serializers

from casework.cases.choices import RiskLevel
from casework.support.choices import NeedArea, NeedStatus, SafetyItemStatus
from casework.support.models import NeedRecord, RiskAssessment, SafetyPlanRevision

from ..concurrency import etag
from ..fields import StrictInput


class NeedOutput(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = NeedRecord
        fields = ["need", "status", "agency", "note", "recorded_at", "recorded_by"]
        read_only_fields = fields


class SafetyItemOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="item_id", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SafetyPlanRevision
        fields = ["id", "description", "review_on", "status", "recorded_at", "recorded_by"]
        read_only_fields = fields


class CurrentSafetyItemOutput(SafetyItemOutput):
    """An item as it stands, with the ETag an edit of it must send in ``If-Match``."""

    etag = serializers.SerializerMethodField()

    class Meta(SafetyItemOutput.Meta):
        fields = [*SafetyItemOutput.Meta.fields, "etag"]
        read_only_fields = fields

    def get_etag(self, revision: SafetyPlanRevision) -> str:
        return etag(revision.item_id, revision.item.version)


class RiskAssessmentOutput(serializers.ModelSerializer):
    assessor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RiskAssessment
        fields = ["id", "assessed_on", "level", "assessor", "notes", "recorded_at"]
        read_only_fields = fields


class SupportPlanOutput(serializers.Serializer):
    needs = NeedOutput(many=True)
    safety_plan = CurrentSafetyItemOutput(many=True)
    risk_assessments = RiskAssessmentOutput(many=True)


class SupportPlanHistoryOutput(serializers.Serializer):
    needs = NeedOutput(many=True)
    safety_plan = SafetyItemOutput(many=True)


class NeedInput(StrictInput):
    need = serializers.ChoiceField(choices=NeedArea.choices)
    status = serializers.ChoiceField(choices=NeedStatus.choices)
    agency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True)


class SafetyItemInput(StrictInput):
    description = serializers.CharField(max_length=2000)
    review_on = serializers.DateField(required=False, allow_null=True)


class SafetyItemUpdateInput(StrictInput):
    description = serializers.CharField(max_length=2000, required=False)
    review_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=SafetyItemStatus.choices, required=False)


class RiskAssessmentInput(StrictInput):
    assessed_on = serializers.DateField()
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    notes = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, allow_null=True
    )
