"""Shapes for authentication, organisations, staff and API keys."""

from rest_framework import serializers

from casework.accounts.choices import OrganisationKind, Role, Scope
from casework.accounts.models import ApiKey, Organisation, User
from casework.accounts.principals import PrincipalKind
from casework.accounts.selectors import organisations_to_name

from ..fields import Moment, StrictInput


class LoginInput(StrictInput):
    username = serializers.CharField(max_length=150)
    # Passwords are checked exactly as typed: a leading or trailing space is part of it.
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The code from the authenticator app (or a recovery code), where two-factor "
        "sign-in is on. Without it such an account is refused exactly as a wrong password is.",
    )
    end_other_sessions = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True ends every other session of the person as this one starts.",
    )


class OrganisationSummary(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "kind"]
        read_only_fields = fields


class OrganisationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "kind", "is_active", "created_at"]
        read_only_fields = fields


class OrganisationCreateInput(StrictInput):
    name = serializers.CharField(max_length=200)
    code = serializers.RegexField(r"^[A-Z]{2,8}$", max_length=8)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)


class OrganisationUpdateInput(StrictInput):
    name = serializers.CharField(max_length=200)
    is_active = serializers.BooleanField(
        help_text="False deactivates the organisation: its staff's sessions end, they cannot "
        "sign in, and its API keys are refused."
    )


class MeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PrincipalKind.choices)
    id = serializers.UUIDField()
    username = serializers.CharField(allow_null=True)
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices, allow_null=True)
    is_superuser = serializers.BooleanField()
    organisation = OrganisationSummary(allow_null=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    areas = serializers.ListField(
        child=serializers.CharField(),
        help_text="The areas a case of my charity can be placed in (empty for anyone else).",
    )


class LoginOutput(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()
    me = MeOutput()


class StaffOutput(serializers.ModelSerializer):
    organisation = OrganisationSummary(read_only=True)
    email = serializers.CharField(read_only=True, help_text="Empty when none is recorded.")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "is_active",
            "organisation",
            "date_joined",
            "last_login",
        ]
        read_only_fields = fields


class StaffCreateInput(StrictInput):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    email = serializers.EmailField(
        max_length=254,
        help_text="Where the link to set their own password goes; nobody else chooses it.",
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=organisations_to_name(),
        required=False,
        help_text="Superusers only; a supervisor always creates staff in their own organisation.",
    )


class StaffUpdateInput(StrictInput):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)


class PasswordLinkOutput(serializers.Serializer):
    sent = serializers.BooleanField(help_text="Whether the email left; if not, send it again.")


class RevokedTokensOutput(serializers.Serializer):
    revoked = serializers.IntegerField()


class ApiKeyOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationSummary(read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    expires_at = serializers.DateTimeField(source="expiry_date", read_only=True, allow_null=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "organisation",
            "created",
            "created_by",
            "expires_at",
            "revoked",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(
        read_only=True, help_text="The secret, shown this once only. Send it as `Api-Key <key>`."
    )

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateInput(StrictInput):
    name = serializers.CharField(max_length=50)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), min_length=1, max_length=len(Scope)
    )
    expires_at = Moment(required=False, allow_null=True, default=None)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=organisations_to_name(),
        required=False,
        help_text="Superusers only; a supervisor always creates keys for their own organisation.",
    )
