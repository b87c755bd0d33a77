"""Development: debug on, console email, everything on this machine."""

from importlib.util import find_spec

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, LOADTEST_APPS
from .env import env

# The image leaves the benchmark tooling out but still collects its static files with these
# settings, so the tooling is added only where it is present.
INSTALLED_APPS = [*INSTALLED_APPS, *(app for app in LOADTEST_APPS if find_spec(app) is not None)]

DEBUG = True
ALLOWED_HOSTS = ["*"]
# A receiver on this machine, over plain HTTP, for trying webhooks out.
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=False)
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
