from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import (
    DigestDelivery,
    GatewayDelivery,
    OutboundMessage,
    Reminder,
    ReminderPolicy,
    ReminderPreference,
)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "reverify_after_days", "no_contact_after_days", "updated_at"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyDomainAdmin):
    list_display = ["kind", "case", "assignee", "due_at", "status"]
    list_filter = ["kind", "status"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_each", "daily_digest"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyDomainAdmin):
    list_display = ["user", "day", "sent_at"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyDomainAdmin):
    list_display = ["case", "purpose", "channel", "send_after", "status"]
    list_filter = ["status", "purpose"]


@admin.register(GatewayDelivery)
class GatewayDeliveryAdmin(ReadOnlyDomainAdmin):
    list_display = ["message", "backend", "accepted_at"]
