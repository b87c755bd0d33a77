"""Webhook subscriptions and their delivery logs. A secret appears in two answers only: the
one that made the subscription, and the one that rotated it."""

from rest_framework import serializers

from casework.webhooks.choices import DeliveryStatus, EventType, PauseReason
from casework.webhooks.models import WebhookDelivery, WebhookSubscription

from ..fields import ChoiceList, StrictInput, optional_choice


class WebhookInput(StrictInput):
    url = serializers.URLField(
        max_length=500,
        help_text="Where deliveries go: HTTPS, to a public address (checked on every delivery).",
    )
    events = ChoiceList(
        EventType.choices,
        min_length=1,
        help_text="The event types wanted: a charity's or a force's, as the webhooks document.",
    )
    active = serializers.BooleanField(
        required=False,
        help_text="Off: nothing is sent, and deliveries wait. Turning a paused subscription "
        "back on resumes it.",
    )


class WebhookOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    pause_reason = optional_choice(PauseReason.choices)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    previous_secret_signs_until = serializers.DateTimeField(
        source="previous_secret_expires_at",
        read_only=True,
        allow_null=True,
        help_text="After a rotation, the previous secret signs beside the new one until then.",
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "events",
            "active",
            "paused_at",
            "pause_reason",
            "consecutive_failures",
            "previous_secret_signs_until",
            "created_at",
            "created_by",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class WebhookWithSecretOutput(WebhookOutput):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (Standard Webhooks, whsec_…), shown this once only.",
    )

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookDeliveryOutput(serializers.ModelSerializer):
    """One delivery: its id is the ``webhook-id`` of every attempt. What it carried is not kept:
    it was built at each attempt from what the receiver could see then."""

    event = serializers.UUIDField(source="event_id", read_only=True)
    type = serializers.ChoiceField(source="event.type", choices=EventType.choices, read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "type",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "duration_ms",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "retry_until",
            "delivered_at",
        ]
        read_only_fields = fields
