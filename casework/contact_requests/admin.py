from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import ContactRequest


@admin.register(ContactRequest)
class ContactRequestAdmin(ReadOnlyDomainAdmin):
    list_display = ["shared_case", "purpose", "urgency", "status", "created_at", "respond_by"]
    list_filter = ["status", "urgency", "purpose"]
