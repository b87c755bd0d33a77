"""Clients and contact methods. Lists carry the pseudonym only; identity fields appear on the
client's detail, whose every read is audited."""

from rest_framework import serializers

from casework.clients.choices import ContactKind, ContactStatus, VulnerabilityFlag, WorkSetting
from casework.clients.models import Client, ContactMethod

from ..fields import ChoiceList, StrictInput


class ClientSummary(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "pseudonym"]
        read_only_fields = fields


class ClientListItem(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "pseudonym", "pronouns", "work_settings", "created_at"]
        read_only_fields = fields


class ClientDetail(serializers.ModelSerializer):
    # Stored sealed as one value; shown as the list it is.
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "pseudonym",
            "legal_name",
            "date_of_birth",
            "pronouns",
            "languages",
            "interpreter_needed",
            "interpreter_language",
            "work_settings",
            "vulnerability_flags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ClientInput(StrictInput):
    pseudonym = serializers.CharField(max_length=100)
    legal_name = serializers.CharField(max_length=200, required=False, allow_null=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=10, required=False
    )
    interpreter_needed = serializers.BooleanField(required=False)
    interpreter_language = serializers.CharField(max_length=40, required=False, allow_blank=True)
    work_settings = ChoiceList(WorkSetting.choices, required=False)
    vulnerability_flags = ChoiceList(VulnerabilityFlag.choices, required=False)


class ClientLookupInput(StrictInput):
    phone = serializers.CharField(max_length=40, required=False)
    email = serializers.CharField(max_length=254, required=False)

    def validate(self, attrs):
        if bool(attrs.get("phone")) == bool(attrs.get("email")):
            raise serializers.ValidationError({"non_field_errors": ["Give a phone or an email."]})
        return attrs


class SafeTimeWindow(serializers.Serializer):
    days = serializers.ListField(child=serializers.CharField(max_length=3), max_length=7)
    to = serializers.CharField(max_length=5)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so it is added by name.
        fields["from"] = serializers.CharField(max_length=5)
        return fields


class ContactMethodOutput(serializers.ModelSerializer):
    safe_times = SafeTimeWindow(many=True, read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = ContactMethod
        fields = [
            "id",
            "kind",
            "value",
            "third_party_name",
            "safe_to_call",
            "safe_to_text",
            "safe_to_voicemail",
            "safe_times",
            "preferred",
            "police_may_use",
            "status",
            "is_current",
            "consecutive_failures",
            "verified_at",
            "last_success_at",
            "last_failure_at",
            "retired_at",
            "retired_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_current(self, method: ContactMethod) -> bool:
        return method.status not in (ContactStatus.RETIRED, ContactStatus.DEAD)


POLICE_HELP = (
    "The client chose this route for police (a phone or an email only). Police are given it only "
    "with consent to contact directly, and only while it is safe to call or write to."
)


class ContactMethodCreateInput(StrictInput):
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    value = serializers.CharField(max_length=500)
    third_party_name = serializers.CharField(max_length=200, required=False, allow_null=True)
    safe_to_call = serializers.BooleanField(required=False, default=False)
    safe_to_text = serializers.BooleanField(required=False, default=False)
    safe_to_voicemail = serializers.BooleanField(required=False, default=False)
    safe_times = SafeTimeWindow(many=True, required=False)
    preferred = serializers.BooleanField(required=False, default=False)
    police_may_use = serializers.BooleanField(required=False, default=False, help_text=POLICE_HELP)


class ContactMethodUpdateInput(StrictInput):
    third_party_name = serializers.CharField(max_length=200, required=False, allow_null=True)
    safe_to_call = serializers.BooleanField(required=False)
    safe_to_text = serializers.BooleanField(required=False)
    safe_to_voicemail = serializers.BooleanField(required=False)
    safe_times = SafeTimeWindow(many=True, required=False)
    preferred = serializers.BooleanField(required=False)
    police_may_use = serializers.BooleanField(required=False, help_text=POLICE_HELP)


class ContactMethodRetireInput(StrictInput):
    reason = serializers.CharField(max_length=200)
