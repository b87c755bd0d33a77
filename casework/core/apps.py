from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = "Casework core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import before_task_publish

        from casework.crypto import checks  # noqa: F401  (registers the keyring check)

        from .database_roles import grant_after_migrate
        from .heartbeats import HEARTBEAT_TASK, beat_sent_heartbeat

        # Once per migrate (sent for this app only), on the migrating owner's connection.
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="casework-grants")
        before_task_publish.connect(
            beat_sent_heartbeat, sender=HEARTBEAT_TASK, dispatch_uid="casework-beat-heartbeat"
        )
