from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "casework.alerts"
    label = "alerts"
    verbose_name = "Warn others: alerts and the checker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the handler that publishes an approved alert.
        from . import services  # noqa: F401
