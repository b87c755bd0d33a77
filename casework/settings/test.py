"""Tests: the real PostgreSQL and Redis, a broker database of their own so a running development
worker never takes a test's task, a fast password hasher and in-memory email."""

import os

from .base import *  # noqa: F403
from .base import (
    DATABASE_APP_ROLE,
    DATABASES,
    INSTALLED_APPS,
    LOADTEST_APPS,
    MIDDLEWARE,
)
from .env import BASE_DIR, env

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, *LOADTEST_APPS]
# DATABASE_URL signs in as the owner, who creates and migrates the test database; the application
# then runs as the runtime role, switched to on every connection (tests/conftest.py holds the
# switch off while the database is made). A test that must act as the owner steps out with
# ``as_owner()`` on the same connection, so what it has not committed stays visible: hence no
# separate owner connection.
DATABASES["default"]["OPTIONS"]["assume_role"] = DATABASE_APP_ROLE
DATABASE_OWNER_URL = ""
# Exported audit heads are off unless a test asks for them: a file outliving the test database
# would name chains that no longer exist.
AUDIT_HEAD_EXPORT_PATH = env("TEST_AUDIT_HEAD_EXPORT_PATH", default="")
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No collected static files in tests: the pages under test reference them, nothing serves them.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Tests that store files point this at a directory of their own (tests/attachments.py).
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(BASE_DIR / "var" / f"test-attachments-{DATABASES['default']['NAME']}")
        },
    },
}
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = env("TEST_CELERY_RESULT_BACKEND", default="redis://127.0.0.1:6379/15")
# A test that needs a worker of its own, taking every task its tasks start, names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env("TEST_CELERY_QUEUE", default="casework-test")
# Celery prefers the CELERY_BROKER_URL and CELERY_RESULT_BACKEND environment variables to any
# configuration, so with them set (as the development scripts set them) the tests, their workers
# and a private broker a test starts would all share the development broker. The test settings
# take them out of the environment of this process and of every worker it starts.
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("CELERY_RESULT_BACKEND", None)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("TEST_CACHE_URL", default="redis://127.0.0.1:6379/11"),
        "KEY_PREFIX": "casework-test",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
# The tests' receivers listen on this machine over plain HTTP; a test of the refusals turns
# these back to production's values.
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=False)
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
