"""Admin pages for organisations, staff, API keys and sign-in records.

Every change with rules goes through the same service as the API: a role changed here moves the
person between permission groups (and so changes what they can see) at once, deactivating
someone ends their sessions, and each change is audited. What no service changes (usernames,
organisations, superuser status, groups, tokens, authenticators, passwords) is read-only here;
staff are created through the API or ``create_staff``, so nobody else ever chooses their
password."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from knox.models import AuthToken
from rest_framework_api_key.models import APIKey as LibraryApiKey

from .choices import ROLES_BY_KIND, role_fits
from .models import (
    ApiKey,
    AuthenticatorDevice,
    Organisation,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
)
from .services.api_keys import api_key_revoke
from .services.organisations import (
    check_stats_threshold,
    clean_areas,
    organisation_create,
    organisation_settings_update,
    organisation_update,
)
from .services.staff import staff_set_active, staff_update

SETTINGS_FIELDS = ("require_two_factor", "retention_years", "areas", "stats_threshold")


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "code", "kind", "is_active", *SETTINGS_FIELDS]

    def clean_areas(self):
        try:
            return clean_areas(list(self.cleaned_data.get("areas") or []))
        except ValidationError as error:
            raise ValidationError(error.message_dict["areas"]) from None

    def clean_stats_threshold(self):
        value = self.cleaned_data.get("stats_threshold")
        if value is None:
            return value
        try:
            return check_stats_threshold(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["stats_threshold"]) from None

    def clean_retention_years(self):
        """Records anonymised sooner cannot come back: a shorter period is the organisation's
        two supervisors' decision (proposed and approved through the API), never the admin's."""
        years = self.cleaned_data.get("retention_years")
        if self.instance.pk and years is not None and years < self.instance.retention_years:
            raise ValidationError(
                "A shorter retention period is proposed by one of the organisation's "
                "supervisors and approved by another."
            )
        return years


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ["name", "code", "kind", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "code", "kind"]
        return ["name", "code", "kind", "is_active", *SETTINGS_FIELDS, "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "kind", "created_at"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = organisation_create(
                name=obj.name, code=obj.code, kind=obj.kind, by=request.user
            )
            _adopt(obj, created)
            return
        changed = set(form.changed_data)
        if changed & {"name", "is_active"}:
            organisation_update(
                organisation=obj,
                by=request.user,
                name=obj.name if "name" in changed else None,
                is_active=obj.is_active if "is_active" in changed else None,
            )
        settings = {f: getattr(obj, f) for f in SETTINGS_FIELDS if f in changed}
        if settings:
            organisation_settings_update(organisation=obj, by=request.user, **settings)


def _adopt(obj, saved) -> None:
    """Makes the admin's unsaved instance the row the service created."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class StaffForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role", "is_active"]

    def clean(self):
        cleaned = super().clean()
        organisation = self.instance.organisation
        role = cleaned.get("role")
        changing_role = "role" in self.changed_data and organisation is not None
        if changing_role and (not role or not role_fits(organisation.kind, role)):
            allowed = ", ".join(sorted(ROLES_BY_KIND[organisation.kind]))
            self.add_error("role", f"This organisation has only these roles: {allowed}.")
        return cleaned


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = StaffForm
    list_display = ["username", "organisation", "role", "is_active", "is_superuser"]
    list_filter = ["organisation", "role", "is_active", "is_superuser"]
    search_fields = ["username"]
    fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "role",
        "is_active",
        "is_superuser",
        "is_staff",
        "groups",
        "last_login",
        "date_joined",
    ]
    always_read_only = [
        "username",
        "organisation",
        "is_superuser",
        "is_staff",
        "groups",
        "last_login",
        "date_joined",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.always_read_only)
        if obj is not None and obj.organisation_id is None:
            fields.append("role")  # a platform superuser has none
        if obj is not None and obj.pk == request.user.pk:
            fields.append("is_active")  # nobody deactivates themselves
        return fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        details = {
            f: form.cleaned_data[f]
            for f in ("role", "first_name", "last_name", "email")
            if f in changed
        }
        if details:
            staff_update(by=request.user, user=obj, **details)
        if "is_active" in changed:
            staff_set_active(user=obj, active=obj.is_active, changed_by=request.user)
            if not obj.is_active:
                self.message_user(request, "Their sessions have ended.", messages.INFO)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Keys are made through the API or ``create_api_key`` (shown once, scopes checked against
    the organisation's kind); here they can be seen and revoked."""

    list_display = ["prefix", "name", "organisation", "scopes", "created", "revoked"]
    list_filter = ["organisation", "revoked"]
    search_fields = ["name", "prefix"]
    fields = readonly_fields = (
        "prefix",
        "name",
        "organisation",
        "scopes",
        "created",
        "created_by",
        "expiry_date",
        "revoked",
        "revoked_at",
        "last_used_at",
    )
    actions = ["revoke"]

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked=False):
            api_key_revoke(api_key=api_key, by=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).", messages.INFO)


# The library's own key table is unused (our ApiKey carries the organisation and scopes); a key
# made there would authenticate nothing, so it is not offered.
if admin.site.is_registered(LibraryApiKey):
    admin.site.unregister(LibraryApiKey)

# Groups are derived from roles (casework.accounts.roles) and consent (casework.sharing); sign-in
# tokens are made by signing in; authenticators by their owner. None is made or edited here.
for library_model in (Group, AuthToken):
    if admin.site.is_registered(library_model):
        admin.site.unregister(library_model)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    fields = readonly_fields = ("name",)


@admin.register(AuthToken)
class AuthTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "created", "expiry"]
    fields = readonly_fields = ("user", "created", "expiry")


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(ReadOnlyAdmin):
    """Whether someone has an authenticator, never its secret."""

    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(ReadOnlyAdmin):
    fields = readonly_fields = ("user", "name", "confirmed")
    list_display = ["user", "name", "confirmed"]


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(ReadOnlyAdmin):
    """Shows that codes exist, never their hashes."""

    list_display = ["device"]
    fields = ["device"]
    readonly_fields = ["device"]
