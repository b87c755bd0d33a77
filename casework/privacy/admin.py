from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import ErasureRecord


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyDomainAdmin):
    list_display = ["client", "requested_by", "forced", "erased_at"]
