"""Settings shared by every environment. Every value that differs between machines comes from an
environment variable (see README.md, "Configuration"); the defaults here suit a development machine
with PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379."""

from django.core.exceptions import ImproperlyConfigured

from .env import BASE_DIR, env

DEBUG = False

# Keys committed here are for development only; production refuses every one of them.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-never-used-in-production"
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "dev1:ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMzJieSE="
DEVELOPMENT_FIELD_HASH_KEY = "ZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS0zMmJ5dGU="
DEVELOPMENT_AUDIT_HASH_KEY = "dev1:ZGV2ZWxvcG1lbnQtb25seS1hdWRpdC1jaGFpbi1rZXk="
DEVELOPMENT_CHECKER_HASH_KEY = "dev1:ZGV2ZWxvcG1lbnQtb25seS1jaGVja2VyLWtleS0zMmI="

SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "casework.admin_config.CaseworkAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "pgtrigger",
    "axes",
    # django-otp's TOTP plugin is not installed: it stores secrets in plaintext. Authenticator
    # secrets live in casework.accounts' AuthenticatorDevice, sealed with the field keyring.
    "django_otp",
    "django_htmx",
    "casework.accounts",
    "casework.core",
    "casework.audit",
    "casework.clients",
    "casework.cases",
    "casework.sharing",
    "casework.contact_requests",
    "casework.court",
    "casework.support",
    "casework.reminders",
    "casework.privacy",
    "casework.webhooks",
    "casework.approvals",
    "casework.disclosures",
    "console",
    "casework.attachments",
    # No models: the printable statistics return's template and stylesheet.
    "casework.stats",
    "casework.alerts",
]
# The benchmark tooling (casework.loadtest: generate_load_data, benchmark_api, benchmark_scans)
# is added by the development and test settings only; the production image leaves it out.
LOADTEST_APPS = ["casework.loadtest"]
# Hosts besides loopback that ``soak`` may drive (a staging machine kept for load tests).
SOAK_TEST_HOSTS = env.list("SOAK_TEST_HOSTS", default=[])

MIDDLEWARE = [
    "casework.middleware.RequestIdMiddleware",
    "api.middleware.ApiErrorShapeMiddleware",
    "api.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks an admin session verified once a second factor was checked (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: the console answers a partial update with a fragment of its page.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "casework.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "api.root_urls"
WSGI_APPLICATION = "casework.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/casework"),
}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
# Short queries only: the JIT's compile time and a parallel worker's start-up would cost more
# than they save (each added ten to thirty milliseconds to list pages in the benchmarks).
DATABASES["default"]["OPTIONS"].setdefault(
    "options", "-c jit=off -c max_parallel_workers_per_gather=0"
)

# The application runs as a PostgreSQL role that owns nothing and may not change audit events
# or consent decisions (casework/core/database_roles.py). Where DATABASE_URL signs in as another
# role (in development, the postgres superuser), every connection switches to it on opening.
# Migrations and the commands that must act as the owner use DATABASE_OWNER_URL, or failing that
# DATABASE_URL's own sign-in without the switch.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="casework_app")
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="")
if DATABASES["default"].get("USER") != DATABASE_APP_ROLE:
    DATABASES["default"]["OPTIONS"]["assume_role"] = DATABASE_APP_ROLE

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The service's own words and the person's (casework/accounts/context_words.txt).
    {"NAME": "casework.accounts.passwords.ContextWordsValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="casework@localhost")

# Sessions exist for the console (/app/), the admin and the documentation pages; the API uses
# tokens. The cookies are Secure and __Host- everywhere: browsers accept them over plain HTTP
# from localhost only, which is where development and the browser tests run. A console session
# also ends with the token it rests on (console/session.py), so its idle timeout and absolute
# lifetime are the API tokens' (AUTH_TOKEN_IDLE_MINUTES, AUTH_TOKEN_MAX_HOURS).
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_AGE = 60 * 60 * env.int("AUTH_TOKEN_MAX_HOURS", default=10)
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Strict"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from .integrations.api import *  # noqa: E402, F403
from .integrations.attachments import *  # noqa: E402, F403
from .integrations.attachments import ATTACHMENTS_STORAGE  # noqa: E402
from .integrations.celery import *  # noqa: E402, F403
from .integrations.guardian import *  # noqa: E402, F403
from .integrations.logging import *  # noqa: E402, F403
from .integrations.security import *  # noqa: E402, F403
from .integrations.webhooks import *  # noqa: E402, F403

STORAGES["attachments"] = ATTACHMENTS_STORAGE

# Field encryption: "<id>:<base64 32-byte key>" entries, the first one used for new values; keep
# older keys listed until ``rotate_encryption_keys`` has re-encrypted everything. The keyed hash
# for exact-match look-ups has its own key. The defaults are for development only.
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[DEVELOPMENT_FIELD_ENCRYPTION_KEY]
)
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default=DEVELOPMENT_FIELD_HASH_KEY)
# The audit chain's HMAC keys, "<id>:<base64 32-byte key>", the first one signing new events and
# exported chain heads; keep older keys listed for as long as events signed with them are kept.
AUDIT_HASH_KEYS = env.list("AUDIT_HASH_KEYS", default=[DEVELOPMENT_AUDIT_HASH_KEY])
# Where the signed head of every audit chain is appended at each export (one JSON line per
# chain; the same line also goes to the "casework.audit.heads" log), for ``verify_audit`` to
# check the chains against. Put it where the application's database role cannot reach: a
# deleted tail or a rewritten chain no longer matches it. Empty: log lines only. By default one
# file per database, as the heads are of that database's chains.
AUDIT_HEAD_EXPORT_PATH = env(
    "AUDIT_HEAD_EXPORT_PATH",
    default=str(BASE_DIR / "var" / f"audit-heads-{DATABASES['default']['NAME']}.jsonl"),
)

# Victims' Code (England and Wales): working days within which a victim must be told of a
# decision; 1 for those entitled to enhanced rights, otherwise 5.
VICTIMS_CODE_WORKING_DAYS_ENHANCED = env.int("VICTIMS_CODE_WORKING_DAYS_ENHANCED", default=1)
VICTIMS_CODE_WORKING_DAYS_STANDARD = env.int("VICTIMS_CODE_WORKING_DAYS_STANDARD", default=5)
# An open entitlement due within this many days counts as "due soon".
VICTIMS_CODE_DUE_SOON_DAYS = env.int("VICTIMS_CODE_DUE_SOON_DAYS", default=2)

# Published statistics: any count (and any median) over fewer cases than this is withheld.
STATS_SUPPRESSION_THRESHOLD = env.int("STATS_SUPPRESSION_THRESHOLD", default=5)
# Published (already suppressed) figures are kept in the cache: a range that ended before today
# for this long, one still open only briefly (casework/stats/caching.py). 0 keeps nothing.
STATS_CACHE_CLOSED_SECONDS = env.int("STATS_CACHE_CLOSED_SECONDS", default=6 * 3600)
STATS_CACHE_OPEN_SECONDS = env.int("STATS_CACHE_OPEN_SECONDS", default=30)

# Messages to clients go through this gateway: "logging" records them (the default, for
# development and for deployments without an SMS provider), "email" sends email-route messages.
MESSAGE_GATEWAY = env("MESSAGE_GATEWAY", default="logging")
# A message stuck in "sending" longer than this is recovered by the sweep.
MESSAGE_SENDING_TIMEOUT_SECONDS = env.int("MESSAGE_SENDING_TIMEOUT_SECONDS", default=300)
# The hour (UK time) at which daily digests go out.
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=7)

# Hours a two-person proposal (a consent override, a forced erasure, a shorter retention period)
# waits for a second supervisor before it expires.
APPROVAL_EXPIRY_HOURS = env.int("APPROVAL_EXPIRY_HOURS", default=72)
if not 1 <= APPROVAL_EXPIRY_HOURS <= 24 * 14:
    raise ImproperlyConfigured("APPROVAL_EXPIRY_HOURS must be between 1 and 336.")

# Warn others (casework/alerts). The checker compares a queried number or email with published
# alerts' identifiers through an HMAC-SHA-256 under its own keys, "<id>:<base64 32-byte key>",
# the first one hashing new identifiers; to rotate, put a new key first, keep the old one listed
# until ``rehash_checker_identifiers`` has re-hashed every identifier, then remove it.
CHECKER_HASH_KEYS = env.list("CHECKER_HASH_KEYS", default=[DEVELOPMENT_CHECKER_HASH_KEY])
# Days a published alert stays in the feed and the checker before it expires.
ALERT_LIFETIME_DAYS = env.int("ALERT_LIFETIME_DAYS", default=365)
if not 1 <= ALERT_LIFETIME_DAYS <= 3650:
    raise ImproperlyConfigured("ALERT_LIFETIME_DAYS must be between 1 and 3650.")

# Callers told which part of /readyz fails (networks, comma-separated); anyone else gets the
# status alone, which names nothing of what runs behind the service.
READYZ_DETAIL_NETWORKS = env.list("READYZ_DETAIL_NETWORKS", default=["127.0.0.0/8", "::1/128"])

# Where the console's quick-exit control sends the browser (replacing the page in its history):
# a neutral site that gives nothing away on a shared or watched screen.
CONSOLE_QUICK_EXIT_URL = env("CONSOLE_QUICK_EXIT_URL", default="https://www.bbc.co.uk/weather")

# Whether ``seed_demo`` may write demo accounts into this database.
CASEWORK_DEMO_ALLOWED = env.bool("CASEWORK_DEMO_ALLOWED", default=True)
