from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "casework.reminders"
    label = "reminders"
    verbose_name = "Reminders and messages to clients"
    default_auto_field = "django.db.models.BigAutoField"
