from django.contrib import admin

from casework.core.readonly_admin import ReadOnlyDomainAdmin

from .models import Client, ContactMethod


@admin.register(Client)
class ClientAdmin(ReadOnlyDomainAdmin):
    list_display = ["id", "organisation", "created_at"]
    list_filter = ["organisation"]


@admin.register(ContactMethod)
class ContactMethodAdmin(ReadOnlyDomainAdmin):
    list_display = ["id", "client", "kind", "status", "preferred", "created_at"]
    list_filter = ["kind", "status"]
