"""The Celery application, configured from Django settings (``CELERY_*``). Production unless
``DJANGO_SETTINGS_MODULE`` says otherwise, as for the WSGI entry point."""

import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.prod")


class DatabaseRetryingTask(Task):
    """Every task of the service: one that finds PostgreSQL unreachable (a restart, a failover)
    is retried with exponential backoff and jitter rather than lost. Tasks derive their work
    from the database, so running one again is harmless. A task naming its own ``autoretry_for``
    (the mail tasks) retries on those instead."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 10


app = Celery("casework", task_cls=DatabaseRetryingTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
