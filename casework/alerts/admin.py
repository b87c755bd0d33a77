from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import Alert, AlertIdentifier, CheckerUsage


@admin.register(Alert)
class AlertAdmin(ReadOnlyDomainAdmin):
    list_display = ["reference", "organisation", "area", "week_of", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["reference"]


@admin.register(AlertIdentifier)
class AlertIdentifierAdmin(ReadOnlyDomainAdmin):
    list_display = ["alert", "kind", "hash_key_id"]
    list_filter = ["kind", "hash_key_id"]


@admin.register(CheckerUsage)
class CheckerUsageAdmin(ReadOnlyDomainAdmin):
    list_display = ["caller", "organisation", "day", "queries"]
    list_filter = ["day"]
