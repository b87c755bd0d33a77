"""Contact requests: what the force sends and sees, and what the charity reads and records."""

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.clients.choices import POLICE_ROUTE_KIND_CHOICES
from casework.contact_requests.choices import (
    AgreedRoute,
    ContactRequestOutcome,
    ContactRequestPurpose,
    ContactRequestUrgency,
    PreferredContact,
)
from casework.contact_requests.models import ContactRequest
from casework.contact_requests.services import answer_told_to_force, charity_contact
from casework.sharing.choices import ConsentMethod

from ..accounts.serializers import OrganisationSummary
from ..clients.serializers import SafeTimeWindow
from ..fields import StrictInput


class ContactRequestInput(StrictInput):
    purpose = serializers.ChoiceField(choices=ContactRequestPurpose.choices)
    explanation = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=ContactRequestUrgency.choices)
    preferred_contact = serializers.ChoiceField(
        choices=PreferredContact.choices, help_text="The contact the force would like."
    )
    window_from = serializers.DateTimeField()
    window_until = serializers.DateTimeField(help_text="The request expires at this time.")


class ForceContactRoute(serializers.Serializer):
    """The one route the client chose: their own phone or email with how it may be used, or the
    charity's contact (for "through the charity" and a meeting there)."""

    kind = serializers.ChoiceField(choices=POLICE_ROUTE_KIND_CHOICES, required=False)
    value = serializers.CharField(required=False)
    safe_to_call = serializers.BooleanField(required=False)
    safe_to_text = serializers.BooleanField(
        required=False, help_text="Safe for written contact: a text, or an email."
    )
    safe_to_voicemail = serializers.BooleanField(required=False)
    safe_times = SafeTimeWindow(
        many=True, required=False, help_text="Only contact the client inside these (UK time)."
    )
    organisation = serializers.CharField(required=False)
    contact_through = serializers.CharField(
        required=False, help_text="The case's person at the charity; empty while there is none."
    )
    email = serializers.CharField(required=False)


class ForceAnswer(serializers.Serializer):
    """The client's answer as the force learns it: the outcome, and on an agreement the chosen
    route alone. Never the client's reason."""

    outcome = serializers.ChoiceField(choices=ContactRequestOutcome.choices)
    route = serializers.ChoiceField(choices=AgreedRoute.choices, required=False)
    contact = ForceContactRoute(required=False)


def _answer_for_force(serializer: serializers.Serializer, request: ContactRequest) -> Any:
    """The answer as the force learns it; the charity's contact is looked up once per case for a
    whole page (the serializers of a page share the root's context)."""
    through = None
    if request.route in (AgreedRoute.THROUGH_CHARITY, AgreedRoute.MEETING_AT_CHARITY):
        # The page's one context (the root's dict), shared by its rows.
        context = cast(dict[str, Any], serializer.context)
        known = context.setdefault("charity_contacts", {})
        if request.case_id not in known:
            known[request.case_id] = charity_contact(request)
        through = known[request.case_id]
    return answer_told_to_force(request, through=through)


class ForceContactRequestOutput(serializers.ModelSerializer):
    """A request as the force that made it sees it."""

    requested_at = serializers.DateTimeField(source="created_at", read_only=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = ContactRequest
        fields = [
            "id",
            "purpose",
            "explanation",
            "urgency",
            "preferred_contact",
            "window_from",
            "window_until",
            "requested_at",
            "status",
            "answer",
        ]
        read_only_fields = fields

    @extend_schema_field(ForceAnswer(allow_null=True))
    def get_answer(self, request: ContactRequest) -> dict[str, Any] | None:
        return _answer_for_force(self, request)


class ContactRequestOutput(serializers.ModelSerializer):
    """A request as the charity's staff read it, with the answer recorded and exactly what the
    force was told of it (``told_to_force``)."""

    share_reference = serializers.CharField(source="shared_case.share_reference", read_only=True)
    sharing_level = serializers.CharField(source="shared_case.level", read_only=True)
    police_force = OrganisationSummary(source="shared_case.police_force", read_only=True)
    requested_by = serializers.SerializerMethodField()
    answered_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    consent_decision = serializers.UUIDField(
        source="consent_decision.public_id", read_only=True, allow_null=True
    )
    told_to_force = serializers.SerializerMethodField()

    class Meta:
        model = ContactRequest
        fields = [
            "id",
            "share_reference",
            "sharing_level",
            "police_force",
            "requested_by",
            "purpose",
            "explanation",
            "urgency",
            "preferred_contact",
            "window_from",
            "window_until",
            "created_at",
            "respond_by",
            "status",
            "answered_at",
            "answered_by",
            "route",
            "contact_method",
            "consent_decision",
            "client_reason",
            "closed_at",
            "told_to_force",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_requested_by(self, request: ContactRequest) -> str:
        officer = request.requested_by
        return officer.get_full_name() or officer.username

    @extend_schema_field(ForceAnswer(allow_null=True))
    def get_told_to_force(self, request: ContactRequest) -> dict[str, Any] | None:
        return _answer_for_force(self, request)


class ContactRequestAnswerInput(StrictInput):
    outcome = serializers.ChoiceField(choices=ContactRequestOutcome.choices)
    route = serializers.ChoiceField(
        choices=AgreedRoute.choices,
        required=False,
        allow_null=True,
        help_text="On an agreement: the route the client chose.",
    )
    contact_method = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="With the contact_method route: the client's contact method marked for police.",
    )
    acknowledge_identifying_route = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required (true) to give a contact method on an anonymous share: the route "
        "is then the one identifying fact the force learns.",
    )
    client_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="What the client said, for the charity's record; never told to the force.",
    )
    consent_method = serializers.ChoiceField(
        choices=ConsentMethod.choices,
        required=False,
        help_text="How the client gave an agreement to direct contact (verbal unless said).",
    )
