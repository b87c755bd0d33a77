"""Alerts: what the charity's staff draft and read on a case, what subscribers read in the feed,
and what the checker is asked and answers."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.alerts.choices import AlertStatus, IdentifierKind
from casework.alerts.models import Alert

from ..fields import StrictInput


class IdentifierInput(StrictInput):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=500)


class AlertDraftInput(StrictInput):
    what_happened = serializers.CharField(max_length=4000)
    offender_description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    area = serializers.CharField(max_length=100, help_text="One of the organisation's areas.")
    happened_on = serializers.DateField(
        help_text="When it happened; the alert keeps only the week (its Monday)."
    )
    identifiers = serializers.ListField(
        child=IdentifierInput(), required=False, default=list, max_length=20
    )
    show_identifiers = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Show the identifiers in the feed; otherwise only the checker uses them.",
    )
    revises = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A published alert of this case: the draft is then a revision of it, and once "
        "approved its content replaces that alert's (which becomes updated).",
    )


class AlertSubmitInput(StrictInput):
    reason = serializers.CharField(
        max_length=2000, help_text="Why it should be published, for the reviewer."
    )


class IdentifierOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(help_text="Normalised: phones in E.164, emails in lower case.")


class AlertOutput(serializers.ModelSerializer):
    """An alert as the charity's staff read it on its case."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    approval = serializers.UUIDField(source="approval_id", read_only=True, allow_null=True)
    revises = serializers.UUIDField(source="revises_id", read_only=True, allow_null=True)
    identifiers = IdentifierOutput(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "reference",
            "status",
            "what_happened",
            "offender_description",
            "area",
            "week_of",
            "identifiers",
            "show_identifiers",
            "revises",
            "author",
            "created_at",
            "updated_at",
            "approval",
            "published_at",
            "reviewed_by",
            "expires_at",
            "retracted_at",
            "retraction_reason",
        ]
        read_only_fields = fields


class FeedAlert(serializers.Serializer):
    """An alert as subscribers read it: nothing of the case, the client or who wrote it, and its
    identifiers only where the reviewer approved showing them. A retracted alert shows that it
    was retracted, and none of its content."""

    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=AlertStatus.choices)
    area = serializers.CharField(allow_null=True)
    week_of = serializers.DateField(allow_null=True)
    what_happened = serializers.CharField(allow_null=True)
    offender_description = serializers.CharField(allow_null=True)
    identifiers = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="When it was published, updated or retracted.")
    retracted_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(IdentifierOutput(many=True))
    def get_identifiers(self, alert: Alert) -> list[dict[str, str]]:
        if alert.status == AlertStatus.RETRACTED or not alert.show_identifiers:
            return []
        return [{"kind": i.kind, "value": i.value} for i in alert.identifiers.all()]

    def to_representation(self, instance: Alert) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if instance.status == AlertStatus.RETRACTED:
            for name in ("area", "week_of", "what_happened", "offender_description"):
                data[name] = None
        return data


class CheckerInput(StrictInput):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(
        max_length=500, help_text="Never stored or logged: only compared by keyed hash."
    )


class CheckerOutput(serializers.Serializer):
    matches = serializers.BooleanField()
    count = serializers.IntegerField(help_text="How many published alerts it matches.")
    latest_month = serializers.CharField(
        allow_null=True, help_text="YYYY-MM of the latest matching alert."
    )
    alerts = serializers.ListField(
        child=serializers.CharField(), help_text="The matching alerts' references."
    )
