"""The test settings, with the email backend and SMTP server taken from the environment (the test
settings fix in-memory email), for a worker that must send real mail to a server a test runs."""

from casework.settings.env import env
from casework.settings.test import *  # noqa: F403
from casework.settings.test import EMAIL_BACKEND as TEST_EMAIL_BACKEND

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default=TEST_EMAIL_BACKEND)
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_USE_TLS = False
EMAIL_TIMEOUT = 5
