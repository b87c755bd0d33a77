from django.contrib import admin

from .models import Heartbeat, IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["scope", "principal", "key", "status_code", "created_at"]
    search_fields = ["key", "principal"]
    readonly_fields = ["principal", "scope", "key", "fingerprint", "status_code", "created_at"]
    # The stored response can name a client: it stays out of the admin.
    exclude = ["response"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]
    readonly_fields = ["name", "seen_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
