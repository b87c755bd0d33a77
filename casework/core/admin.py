from django.contrib import admin

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["scope", "principal", "key", "status_code", "created_at"]
    search_fields = ["key", "principal"]
    readonly_fields = ["principal", "scope", "key", "fingerprint", "status_code", "created_at"]
    # The stored response can name a client: it stays out of the admin.
    exclude = ["response"]
