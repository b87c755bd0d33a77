from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import (
    Case,
    CaseAssignment,
    CaseGroupObjectPermission,
    CaseReferenceCounter,
    CaseTransition,
    CaseUserObjectPermission,
    ContactLogEntry,
    Note,
    Referral,
)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyDomainAdmin):
    list_display = ["id", "organisation", "source", "status", "received_at"]
    list_filter = ["status", "source", "organisation"]


@admin.register(Case)
class CaseAdmin(ReadOnlyDomainAdmin):
    list_display = ["reference", "organisation", "support_status", "justice_stage", "opened_at"]
    list_filter = ["support_status", "justice_stage", "organisation"]
    search_fields = ["reference"]


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "user", "role", "assigned_at"]


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "lifecycle", "from_state", "to_state", "occurred_at"]


@admin.register(ContactLogEntry)
class ContactLogEntryAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "channel", "outcome", "occurred_at"]


@admin.register(Note)
class NoteAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "visibility", "created_at"]


@admin.register(CaseReferenceCounter)
class CaseReferenceCounterAdmin(ReadOnlyDomainAdmin):
    list_display = ["organisation", "year", "last_number"]


@admin.register(CaseUserObjectPermission)
class CaseUserObjectPermissionAdmin(ReadOnlyDomainAdmin):
    list_display = ["content_object", "user", "permission"]


@admin.register(CaseGroupObjectPermission)
class CaseGroupObjectPermissionAdmin(ReadOnlyDomainAdmin):
    list_display = ["content_object", "group", "permission"]
