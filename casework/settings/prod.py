"""Production: refuses to start without its secrets, and passes ``check --deploy``.

Every variable read with ``env(...)`` and no default below is required; a missing one stops the
process with ``ImproperlyConfigured`` naming it."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env

DEBUG = False

SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# TLS to PostgreSQL is asked for in DATABASE_URL's query (``?sslmode=verify-full&sslrootcert=
# /path/ca.pem``), which django-environ turns into connection options kept here.
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "connect_timeout": 5,
    "options": "-c jit=off -c max_parallel_workers_per_gather=0",
}
# In production DATABASE_URL signs in as the runtime role itself, never as a role that switches
# to it: a session that switched could switch back. The owner's credentials are given to the
# migration step alone (DATABASE_OWNER_URL).
_signed_in_as = DATABASES["default"].get("USER")
if not _signed_in_as:
    raise ImproperlyConfigured("DATABASE_URL must name the runtime role it signs in as.")
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default=_signed_in_as)
if _signed_in_as != DATABASE_APP_ROLE:
    raise ImproperlyConfigured(
        f"DATABASE_URL signs in as {_signed_in_as!r} but DATABASE_APP_ROLE is "
        f"{DATABASE_APP_ROLE!r}; in production DATABASE_URL signs in as the runtime role."
    )
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
FIELD_HASH_KEY = env("FIELD_HASH_KEY")
AUDIT_HASH_KEYS = env.list("AUDIT_HASH_KEYS")
CHECKER_HASH_KEYS = env.list("CHECKER_HASH_KEYS")


def _refuse_committed_keys() -> None:
    """A key that is in the repository is known to everyone who can read it."""
    committed = {
        "DJANGO_SECRET_KEY": SECRET_KEY == DEVELOPMENT_SECRET_KEY,  # noqa: F405
        "FIELD_ENCRYPTION_KEYS": any(
            k.partition(":")[2] == DEVELOPMENT_FIELD_ENCRYPTION_KEY.partition(":")[2]  # noqa: F405
            for k in FIELD_ENCRYPTION_KEYS
        ),
        "FIELD_HASH_KEY": FIELD_HASH_KEY == DEVELOPMENT_FIELD_HASH_KEY,  # noqa: F405
        "AUDIT_HASH_KEYS": any(
            k.partition(":")[2] == DEVELOPMENT_AUDIT_HASH_KEY.partition(":")[2]  # noqa: F405
            for k in AUDIT_HASH_KEYS
        ),
        "CHECKER_HASH_KEYS": any(
            k.partition(":")[2] == DEVELOPMENT_CHECKER_HASH_KEY.partition(":")[2]  # noqa: F405
            for k in CHECKER_HASH_KEYS
        ),
    }
    named = sorted(name for name, found in committed.items() if found)
    if named:
        raise ImproperlyConfigured(
            f"{', '.join(named)} hold(s) a development key committed in the repository; "
            "production needs keys of its own."
        )


_refuse_committed_keys()
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND")

# TLS to Redis: rediss:// URLs with ``?ssl_cert_reqs=required&ssl_ca_certs=/path/ca.pem`` (the
# broker, the results and the cache alike). With SERVICES_REQUIRE_TLS the process refuses to
# start unless PostgreSQL and every Redis connection check the server's certificate.
SERVICES_REQUIRE_TLS = env.bool("SERVICES_REQUIRE_TLS", default=False)


def _refuse_plain_connections() -> None:
    database = DATABASES["default"]["OPTIONS"].get("sslmode")
    plain = [] if database in ("verify-ca", "verify-full") else ["DATABASE_URL (sslmode)"]
    redis = {
        "CELERY_BROKER_URL": CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": CELERY_RESULT_BACKEND,
        "CACHE_URL": CACHES["default"]["LOCATION"],  # noqa: F405
    }
    plain += [
        name
        for name, url in redis.items()
        if not (url.startswith("rediss://") and "ssl_cert_reqs=required" in url)
    ]
    if plain:
        raise ImproperlyConfigured(
            f"SERVICES_REQUIRE_TLS is on but {', '.join(plain)} would connect without checking "
            "the server's certificate: use sslmode=verify-full for PostgreSQL and rediss:// with "
            "ssl_cert_reqs=required for Redis."
        )


if SERVICES_REQUIRE_TLS:
    _refuse_plain_connections()

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# API clients and load-balancer probes get no redirect: a plain-HTTP API call must fail, not be
# silently upgraded after its token has crossed the network in clear.
SECURE_REDIRECT_EXEMPT = [r"^api/", r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

CASEWORK_DEMO_ALLOWED = env.bool("CASEWORK_DEMO_ALLOWED", default=False)

# Webhooks go over HTTPS to public addresses only, whatever the environment says.
WEBHOOKS_REQUIRE_HTTPS = True
WEBHOOKS_ALLOW_LOOPBACK = False
