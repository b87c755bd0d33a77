from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey as LibraryApiKey

from .models import (
    ApiKey,
    AuthenticatorDevice,
    Organisation,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
)
from .services.staff import tokens_revoke_all


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "organisation", "role", "is_active", "is_superuser"]
    list_filter = ["organisation", "role", "is_active", "is_superuser"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Organisation", {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Organisation", {"fields": ("organisation", "role")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            revoked = tokens_revoke_all(user=obj, by=request.user, reason="deactivated")
            self.message_user(request, f"Ended {revoked} session(s).", messages.INFO)


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    # The library's stubs pin its own tuples' lengths; these are longer.
    list_display = [*APIKeyModelAdmin.list_display, "organisation", "scopes"]  # type: ignore[assignment]
    list_filter = ["organisation", "revoked"]  # type: ignore[assignment]


# The library's own key table is unused (our ApiKey carries the organisation and scopes); a key
# made there would authenticate nothing, so it is not offered.
if admin.site.is_registered(LibraryApiKey):
    admin.site.unregister(LibraryApiKey)


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    """Shows that a person has an authenticator, never its secret; a supervisor's two-factor
    reset (the API) is how one is taken away."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    readonly_fields = ("user", "name", "confirmed")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(admin.ModelAdmin):
    """Shows that codes exist, never their hashes."""

    list_display = ["device"]
    fields = ["device"]
    readonly_fields = ["device"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
