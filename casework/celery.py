"""The Celery application, configured from Django settings (``CELERY_*``). Production unless
``DJANGO_SETTINGS_MODULE`` says otherwise, as for the WSGI entry point."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.prod")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
