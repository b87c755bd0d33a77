from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import (
    ConsentDecision,
    PoliceInvolvement,
    SharedCase,
    SharedCaseGroupObjectPermission,
    SharedCaseUserObjectPermission,
    SharedUpdate,
)


@admin.register(ConsentDecision)
class ConsentDecisionAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "scope", "granted", "police_force", "recorded_at"]
    list_filter = ["scope", "granted"]


@admin.register(SharedCase)
class SharedCaseAdmin(ReadOnlyDomainAdmin):
    list_display = ["share_reference", "police_force", "level", "status", "started_at", "ended_at"]
    list_filter = ["status", "level", "police_force"]


@admin.register(SharedUpdate)
class SharedUpdateAdmin(ReadOnlyDomainAdmin):
    list_display = ["shared_case", "kind", "from_police", "created_at"]


@admin.register(PoliceInvolvement)
class PoliceInvolvementAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "police_force", "investigation_status", "charging_decision"]


@admin.register(SharedCaseUserObjectPermission)
class SharedCaseUserObjectPermissionAdmin(ReadOnlyDomainAdmin):
    list_display = ["content_object", "user", "permission"]


@admin.register(SharedCaseGroupObjectPermission)
class SharedCaseGroupObjectPermissionAdmin(ReadOnlyDomainAdmin):
    list_display = ["content_object", "group", "permission"]
