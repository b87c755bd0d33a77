"""Logging: one JSON object per line on standard output, with the request id."""

from ..env import env

LOG_LEVEL = env("LOG_LEVEL", default="INFO")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "casework.logging.RequestIdFilter"},
        "secret_paths": {"()": "casework.logging.SecretPathFilter"},
    },
    "formatters": {"json": {"()": "casework.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "secret_paths"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # Casework audits sign-ins itself; the library's per-attempt lines are noise.
        "axes": {"level": "WARNING"},
        # A webhook destination's URL may carry the receiver's own token: the delivery log says
        # what happened, by subscription, without it.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
