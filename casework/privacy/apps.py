from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "casework.privacy"
    label = "privacy"
    verbose_name = "Retention and subject rights"

    def ready(self) -> None:
        # Registers the handler that does an approved forced erasure.
        from . import subject_rights  # noqa: F401
