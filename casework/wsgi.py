"""WSGI entry point for gunicorn: ``gunicorn casework.wsgi``.

Production unless ``DJANGO_SETTINGS_MODULE`` says otherwise: a process started without it
refuses to run without its secrets, rather than running with the development ones. The scripts
choose the development settings for development."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.prod")

application = get_wsgi_application()

# What is loaded now (Django, every module of the project, the URLs and the views they import)
# lives as long as the process. Frozen, the cyclic garbage collector leaves it out of its
# full collections, which otherwise walk all of it and hold a request up by 100 ms or more every
# few hundred requests (docs/benchmarks.md).
get_resolver().url_patterns  # noqa: B018  (loads every view)
gc.freeze()
