from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "casework.disclosures"
    label = "disclosures"
    verbose_name = "Disclosures and police requests for records"
    default_auto_field = "django.db.models.BigAutoField"
