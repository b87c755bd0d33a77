from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.clients.models import ContactMethod
from casework.reminders.choices import MessageChannel, MessagePurpose
from casework.reminders.models import OutboundMessage, Reminder, ReminderPolicy, ReminderPreference

from ..fields import Moment, StrictInput
from ..rows import Row, moment


class OtherRoute(serializers.ModelSerializer):
    class Meta:
        model = ContactMethod
        fields = ["id", "kind", "value", "third_party_name", "status"]
        read_only_fields = fields


class CaseRef(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class ReminderOutput(serializers.ModelSerializer):
    case = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    other_routes = serializers.SerializerMethodField()
    last_successful_contact = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "case",
            "assignee",
            "due_at",
            "status",
            "snoozed_until",
            "snooze_reason",
            "completed_at",
            "other_routes",
            "last_successful_contact",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseRef(allow_null=True))
    def get_case(self, reminder: Reminder) -> dict | None:
        """Police see the share reference; charity staff the case reference; a reminder about
        the organisation's own set-up (a paused webhook) has no case."""
        if reminder.shared_case is not None:
            return {
                "id": str(reminder.shared_case_id),
                "reference": reminder.shared_case.share_reference,
            }
        if reminder.case is None:
            return None
        return {"id": str(reminder.case_id), "reference": reminder.case.reference}

    def get_other_routes(self, reminder: Reminder) -> list[dict]:
        """For an escalation: the client's third-party and outreach routes, as they are now."""
        ids = reminder.detail.get("other_routes") or []
        routes = self.context.get("routes", {})
        return [OtherRoute(routes[i]).data for i in ids if i in routes]

    def get_last_successful_contact(self, reminder: Reminder) -> str | None:
        return reminder.detail.get("last_successful_contact")


def reminder_row(row: Row, routes: dict[str, ContactMethod]) -> Row:
    """A row of ``REMINDER_ROW`` as ``ReminderOutput`` writes the reminder, ``routes`` being the
    contact methods of the page the caller may see."""
    case: dict | None = None
    if row["shared_case_id"] is not None:
        case = {"id": str(row["shared_case_id"]), "reference": row["shared_case__share_reference"]}
    elif row["case_id"] is not None:
        case = {"id": str(row["case_id"]), "reference": row["case__reference"]}
    detail = row["detail"] or {}
    return {
        "id": str(row["id"]),
        "kind": row["kind"],
        "case": case,
        "assignee": row["assignee__username"],
        "due_at": moment(row["due_at"]),
        "status": row["status"],
        "snoozed_until": moment(row["snoozed_until"]),
        "snooze_reason": row["snooze_reason"],
        "completed_at": moment(row["completed_at"]),
        "other_routes": [
            OtherRoute(routes[i]).data for i in detail.get("other_routes") or [] if i in routes
        ],
        "last_successful_contact": detail.get("last_successful_contact"),
        "created_at": moment(row["created_at"]),
    }


class SnoozeInput(StrictInput):
    until = Moment()
    reason = serializers.CharField(max_length=500)


class ReminderPolicySerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ReminderPolicy
        fields = [
            "reverify_after_days",
            "no_contact_after_days",
            "failures_before_escalation",
            "court_reminder_days_before",
            "court_reminder_working_days_before",
            "consent_review_lead_days",
            "police_update_overdue_days",
            "contact_request_response_working_days",
            "records_request_working_days",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class ReminderPolicyInput(StrictInput):
    reverify_after_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    no_contact_after_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    failures_before_escalation = serializers.IntegerField(min_value=1, max_value=20, required=False)
    court_reminder_days_before = serializers.IntegerField(min_value=1, max_value=60, required=False)
    court_reminder_working_days_before = serializers.IntegerField(
        min_value=1, max_value=10, required=False
    )
    consent_review_lead_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    police_update_overdue_days = serializers.IntegerField(
        min_value=1, max_value=365, required=False
    )
    contact_request_response_working_days = serializers.IntegerField(
        min_value=1, max_value=10, required=False
    )
    records_request_working_days = serializers.IntegerField(
        min_value=1, max_value=60, required=False
    )


class ReminderPreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReminderPreference
        fields = ["email_each", "daily_digest"]


class ReminderPreferenceInput(StrictInput):
    email_each = serializers.BooleanField(required=False)
    daily_digest = serializers.BooleanField(required=False)


class MessageOutput(serializers.ModelSerializer):
    contact_method = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = OutboundMessage
        fields = [
            "id",
            "purpose",
            "channel",
            "body",
            "send_after",
            "status",
            "contact_method",
            "attempts",
            "sent_at",
            "failure_reason",
            "created_at",
        ]
        read_only_fields = fields


class MessageInput(StrictInput):
    purpose = serializers.ChoiceField(choices=MessagePurpose.choices)
    channel = serializers.ChoiceField(choices=MessageChannel.choices)
    body = serializers.CharField(max_length=480)
    send_after = Moment()
