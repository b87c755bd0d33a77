"""Proposals of two-person actions, as supervisors read and decide them."""

from rest_framework import serializers

from casework.approvals.models import Approval

from ..fields import StrictInput


class ApprovalOutput(serializers.ModelSerializer):
    """``description`` says exactly what approving does; ``payload`` holds the same parameters
    (ids and choices) the action is done with."""

    case = serializers.UUIDField(source="case_id", read_only=True, allow_null=True)
    case_reference = serializers.CharField(
        source="case.reference", read_only=True, allow_null=True, default=None
    )
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Approval
        fields = [
            "id",
            "kind",
            "status",
            "description",
            "payload",
            "reason",
            "client_not_told_reason",
            "case",
            "case_reference",
            "proposed_by",
            "proposed_at",
            "expires_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "result",
        ]
        read_only_fields = fields


class RejectInput(StrictInput):
    reason = serializers.CharField(max_length=2000, help_text="Why the proposal is rejected.")
