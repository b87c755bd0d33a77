from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "casework.sharing"
    label = "sharing"
    verbose_name = "Consent and police sharing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the handler that writes an approved consent override.
        from . import overrides  # noqa: F401
