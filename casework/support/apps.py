from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "casework.support"
    label = "support"
    verbose_name = "Support plans"
    default_auto_field = "django.db.models.BigAutoField"
