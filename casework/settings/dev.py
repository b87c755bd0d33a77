"""Development: debug on, console email, everything on this machine."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, LOADTEST_APPS

INSTALLED_APPS = [*INSTALLED_APPS, *LOADTEST_APPS]

DEBUG = True
ALLOWED_HOSTS = ["*"]
