"""Attachments: where sealed files are kept, how large one may be, and the virus scanner. See
README.md, "Configuration"."""

from django.core.exceptions import ImproperlyConfigured

from ..env import BASE_DIR, env

# Sealed files go to the local filesystem (one machine, or a volume every API process mounts)
# unless a bucket is named: then to that S3-compatible object store (MinIO in docker/compose).
ATTACHMENTS_ROOT = env("ATTACHMENTS_ROOT", default=str(BASE_DIR / "var" / "attachments"))
ATTACHMENTS_S3_BUCKET = env("ATTACHMENTS_S3_BUCKET", default="")
ATTACHMENTS_S3_ENDPOINT_URL = env("ATTACHMENTS_S3_ENDPOINT_URL", default="")
ATTACHMENTS_S3_REGION = env("ATTACHMENTS_S3_REGION", default="")
ATTACHMENTS_S3_ACCESS_KEY = env("ATTACHMENTS_S3_ACCESS_KEY", default="")
ATTACHMENTS_S3_SECRET_KEY = env("ATTACHMENTS_S3_SECRET_KEY", default="")

ATTACHMENTS_STORAGE: dict[str, object]
if ATTACHMENTS_S3_BUCKET:
    ATTACHMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": ATTACHMENTS_S3_ENDPOINT_URL or None,
            "region_name": ATTACHMENTS_S3_REGION or None,
            "access_key": ATTACHMENTS_S3_ACCESS_KEY or None,
            "secret_key": ATTACHMENTS_S3_SECRET_KEY or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    ATTACHMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ATTACHMENTS_ROOT, "file_permissions_mode": 0o600},
    }

# An organisation's own limit (Organisation.attachment_max_bytes) is 20 MB unless changed, and
# never above this ceiling, which also bounds the body of an upload request.
ATTACHMENTS_MAX_UPLOAD_BYTES = env.int("ATTACHMENTS_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
# A stored file with no record (an upload whose transaction rolled back after the write) is
# removed by the reconciling task once it is this old, so an upload in flight is never touched.
ATTACHMENTS_ORPHAN_GRACE_SECONDS = env.int("ATTACHMENTS_ORPHAN_GRACE_SECONDS", default=60 * 60)

# ClamAV's daemon, "host:port" (its TCP socket). Empty: no scanning. Set, every upload is
# streamed to it first, and an upload is refused when it flags the file or cannot be reached.
CLAMAV_ADDRESS = env("CLAMAV_ADDRESS", default="")
CLAMAV_TIMEOUT_SECONDS = env.float("CLAMAV_TIMEOUT_SECONDS", default=30.0)

if CLAMAV_ADDRESS and ":" not in CLAMAV_ADDRESS:
    raise ImproperlyConfigured("CLAMAV_ADDRESS is host:port, the daemon's TCP socket.")
if ATTACHMENTS_MAX_UPLOAD_BYTES < 1:
    raise ImproperlyConfigured("ATTACHMENTS_MAX_UPLOAD_BYTES must be positive.")
