from django.contrib import admin

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["scope", "principal", "key", "resource_id", "created_at"]
    search_fields = ["key", "principal"]
    readonly_fields = ["principal", "scope", "key", "fingerprint", "resource_id", "created_at"]
