from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "casework.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks: other systems told when something changes"
    default_auto_field = "django.db.models.BigAutoField"
