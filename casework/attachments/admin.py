from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import Attachment, AttachmentShare


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyDomainAdmin):
    """What is known about each file, never the file (nor what was typed about it)."""

    list_display = ["id", "case", "kind", "media_type", "size", "uploaded_at", "retired_at"]
    list_filter = ["kind", "family"]

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != "storage_name"]


@admin.register(AttachmentShare)
class AttachmentShareAdmin(ReadOnlyDomainAdmin):
    list_display = ["attachment", "shared_case", "shared_at", "withdrawn_at"]
