from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "casework.court"
    label = "court"
    verbose_name = "Court process and Victims' Code"
    default_auto_field = "django.db.models.BigAutoField"
