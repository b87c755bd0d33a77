from django.apps import AppConfig


class ContactRequestsConfig(AppConfig):
    name = "casework.contact_requests"
    label = "contact_requests"
    verbose_name = "Police contact requests"
    default_auto_field = "django.db.models.BigAutoField"
