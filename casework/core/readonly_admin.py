"""Admin pages for domain records: read-only, and never showing an encrypted field.

Changes to clients and cases have rules (lifecycles, consent, audit) that only the services
apply, and platform administrators have no need to read identities, so the admin shows ids and
metadata only."""

from django.contrib import admin

from casework.crypto.fields import EncryptedTextField


class ReadOnlyDomainAdmin(admin.ModelAdmin):
    def get_fields(self, request, obj=None):
        return [
            f.name
            for f in self.model._meta.concrete_fields
            if not isinstance(f, EncryptedTextField) and not f.name.endswith("_hash")
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
