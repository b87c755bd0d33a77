from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "casework.attachments"
    label = "attachments"
    verbose_name = "Attachments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (a stored file goes with its record)
