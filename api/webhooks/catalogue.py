"""The webhook catalogue in the schema: one entry per event type, with the body a receiver gets
(drf-spectacular's ``OpenApiWebhook``, named by ``SPECTACULAR_SETTINGS["WEBHOOKS"]``).

The schema is OpenAPI 3.0, whose root has no ``webhooks`` (3.1 added it), so ``x_webhooks``
moves the entries to ``x-webhooks``, the extension the documentation pages render for 3.0."""

from drf_spectacular.utils import OpenApiWebhook, extend_schema, inline_serializer
from rest_framework import serializers

from casework.webhooks.choices import EVENTS_BY_KIND, EventType

from ..court.serializers import PoliceCourtEventOutput
from ..sharing.serializers import EndedShareOutput, SharedCaseDetail, SharedUpdateOutput

DELIVERY_DESCRIPTION = (
    "Sent as a signed `POST` (Standard Webhooks: `webhook-id`, `webhook-timestamp`, "
    "`webhook-signature`; verify it with your secret before reading it). `webhook-id` is the "
    "same on every attempt of one delivery: use it to ignore one received twice. Answer 2xx to "
    "end it; 5xx, 429 (with `Retry-After`) or no answer within the timeout is retried with "
    "backoff for up to a day; 410 pauses the subscription. The body is built when it is sent, "
    "from what your organisation may see then."
)


def _ids(*names: str) -> dict[str, serializers.Field]:
    return {name: serializers.UUIDField() for name in names}


class ShareRef(serializers.Serializer):
    id = serializers.UUIDField()
    share_reference = serializers.CharField()


# Event type -> the ``data`` it carries. A charity's hold ids only (its API keys read no case).
DATA: dict[str, dict[str, serializers.Field]] = {
    EventType.REFERRAL_RECEIVED: _ids("referral"),
    EventType.CASE_ASSIGNED: _ids("case", "user"),
    EventType.CONSENT_RECORDED: _ids("case", "consent_decision"),
    EventType.POLICE_UPDATE_POSTED: _ids("case", "shared_update"),
    EventType.COURT_EVENT_CHANGED: _ids("case", "court_event"),
    EventType.REMINDER_DUE: _ids("reminder", "case"),
    EventType.SHARE_STARTED: {"shared_case": SharedCaseDetail()},
    EventType.SHARED_UPDATE_POSTED: {"shared_case": ShareRef(), "update": SharedUpdateOutput()},
    EventType.SHARED_COURT_EVENT_CHANGED: {
        "shared_case": ShareRef(),
        "court_event": PoliceCourtEventOutput(),
    },
}


def _name(event_type: str) -> str:
    return "".join(part.title() for part in event_type.replace(".", "_").split("_"))


def _body(event_type: str) -> serializers.Serializer:
    if event_type == EventType.SHARE_ENDED:
        data: serializers.Field = EndedShareOutput()
    else:
        data = inline_serializer(f"{_name(event_type)}Data", DATA[event_type])
    return inline_serializer(
        f"{_name(event_type)}Delivery",
        {
            "id": serializers.UUIDField(help_text="The event's id."),
            "type": serializers.ChoiceField(
                choices=EventType.choices,
                help_text=f"`{event_type}`"
                + ("" if event_type == EventType.SHARE_ENDED else _swapped(event_type)),
            ),
            "version": serializers.IntegerField(),
            "timestamp": serializers.DateTimeField(help_text="When it happened."),
            "data": data,
        },
    )


def _swapped(event_type: str) -> str:
    return " (or `share.ended`, see above)" if event_type in EVENTS_BY_KIND["police"] else ""


def _audience(event_type: str) -> str:
    return "police forces" if event_type in EVENTS_BY_KIND["police"] else "charities"


def _extra(event_type: str) -> str:
    if event_type in EVENTS_BY_KIND["police"] and event_type != EventType.SHARE_ENDED:
        return (
            " If the share has ended (or is no longer visible to your force) by the time this "
            "is sent, a `share.ended` body is sent in its place, saying only that."
        )
    return ""


WEBHOOKS = [
    OpenApiWebhook(
        name=str(event_type),
        decorator=extend_schema(
            summary=f"{event_type.label} (for {_audience(event_type)})",
            description=DELIVERY_DESCRIPTION + _extra(event_type),
            request=_body(event_type),
            responses={200: None},
        ),
    )
    for event_type in EventType
]


def x_webhooks(result, generator, request, public):
    """Moves ``webhooks`` to ``x-webhooks`` while the schema is OpenAPI 3.0."""
    if str(result.get("openapi", "")).startswith("3.0") and "webhooks" in result:
        result["x-webhooks"] = result.pop("webhooks")
    return result
