from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casework.accounts"
    label = "accounts"
    verbose_name = "Organisations and staff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the handler that applies an approved shorter retention period.
        from .services import retention  # noqa: F401
