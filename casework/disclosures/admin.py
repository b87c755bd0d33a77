from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import Disclosure, RecordsRequest


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "kind", "recipient", "version", "sent_at"]
    list_filter = ["kind"]


@admin.register(RecordsRequest)
class RecordsRequestAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "shared_case", "status", "requested_at", "respond_by"]
    list_filter = ["status"]
