from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the table refuses changes anyway."""

    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_id", "chain"]
    list_filter = ["action", "actor_kind"]
    search_fields = ["object_id", "actor_label", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
