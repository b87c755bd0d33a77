"""WSGI entry point for gunicorn: ``gunicorn casework.wsgi``.

Production unless ``DJANGO_SETTINGS_MODULE`` says otherwise: a process started without it
refuses to run without its secrets, rather than running with the development ones. The scripts
choose the development settings for development."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.prod")

application = get_wsgi_application()
