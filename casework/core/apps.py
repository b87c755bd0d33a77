from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = "Casework core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.crypto import checks  # noqa: F401  (registers the keyring check)
