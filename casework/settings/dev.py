"""Development: debug on, console email, everything on this machine."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]
