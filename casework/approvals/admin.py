from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import Approval


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyDomainAdmin):
    list_display = ["kind", "organisation", "status", "proposed_by", "proposed_at", "expires_at"]
    list_filter = ["kind", "status"]
