from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import WebhookDelivery, WebhookEvent, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyDomainAdmin):
    list_display = ["organisation", "url", "active", "pause_reason", "created_at"]
    list_filter = ["active", "pause_reason"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyDomainAdmin):
    list_display = ["type", "organisation", "occurred_at"]
    list_filter = ["type"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyDomainAdmin):
    list_display = ["subscription", "status", "attempts", "response_status", "created_at"]
    list_filter = ["status"]
