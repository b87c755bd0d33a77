from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import CalendarFeed, CourtEvent, CourtEventDateChange, Entitlement, JusticeDecision


@admin.register(CourtEvent)
class CourtEventAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "hearing_type", "court", "starts_at", "status"]
    list_filter = ["hearing_type", "status"]


@admin.register(CourtEventDateChange)
class CourtEventDateChangeAdmin(ReadOnlyDomainAdmin):
    list_display = ["event", "previous_starts_at", "new_starts_at", "changed_at"]


@admin.register(JusticeDecision)
class JusticeDecisionAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "kind", "decided_on", "client_told_on"]


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "due_on", "status", "enhanced"]
    list_filter = ["status", "enhanced"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyDomainAdmin):
    list_display = ["user", "created_at", "revoked_at", "last_fetched_at"]

    def has_change_permission(self, request, obj=None):
        return False
