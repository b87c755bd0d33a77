"""Celery: Redis broker, JSON only, late acknowledgement, a static beat schedule."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from ..env import env

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="redis://127.0.0.1:6379/1")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
# A task is acknowledged only when it has finished, so a worker that dies mid-task gives it back;
# every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long; it must exceed the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="casework")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Minutes between exports of the signed audit chain heads: a tail deleted or a chain rewritten
# since the last export is found by ``verify_audit``, so this bounds what can go unnoticed.
AUDIT_HEAD_EXPORT_MINUTES = env.int("AUDIT_HEAD_EXPORT_MINUTES", default=15)
if AUDIT_HEAD_EXPORT_MINUTES < 1:
    raise ImproperlyConfigured("AUDIT_HEAD_EXPORT_MINUTES must be at least 1.")

# The schedule lives in code review, not in a database table. Each entry expires just under its
# period so a backlog after an outage is dropped rather than stacked: the next run catches up
# because every periodic task derives its work from database state.
CELERY_BEAT_SCHEDULE = {
    # Marks beat as it sends this and the worker that runs it (the operators' status page).
    "heartbeat": {
        "task": "casework.core.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "apply-retention": {
        "task": "casework.privacy.tasks.apply_retention",
        "schedule": timedelta(hours=6),
        "options": {"expires": 5 * 60 * 60},
    },
    "scan-reminders": {
        "task": "casework.reminders.tasks.scan_reminders",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    "send-due-messages": {
        "task": "casework.reminders.tasks.send_due_messages",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "recover-stuck-messages": {
        "task": "casework.reminders.tasks.recover_stuck_messages",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 4 * 60},
    },
    "send-daily-digests": {
        "task": "casework.reminders.tasks.send_daily_digests",
        "schedule": timedelta(hours=1),
        "options": {"expires": 55 * 60},
    },
    "expire-lapsed-consents": {
        "task": "casework.sharing.tasks.expire_lapsed_consents",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    "expire-contact-requests": {
        "task": "casework.contact_requests.tasks.expire_contact_requests",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    # Stored files without a record removed, records without a file reported.
    "reconcile-attachment-storage": {
        "task": "casework.attachments.tasks.reconcile_attachment_storage",
        "schedule": timedelta(hours=6),
        "options": {"expires": 5 * 60 * 60},
    },
    "expire-alerts": {
        "task": "casework.alerts.tasks.expire_alerts",
        "schedule": timedelta(hours=1),
        "options": {"expires": 59 * 60},
    },
    "expire-approvals": {
        "task": "casework.approvals.tasks.expire_approvals",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    "export-audit-heads": {
        "task": "casework.audit.tasks.export_audit_heads",
        "schedule": timedelta(minutes=AUDIT_HEAD_EXPORT_MINUTES),
        "options": {"expires": AUDIT_HEAD_EXPORT_MINUTES * 55},
    },
    "purge-expired-tokens": {
        "task": "casework.accounts.tasks.purge_expired_tokens",
        "schedule": timedelta(hours=1),
        "options": {"expires": 55 * 60},
    },
    "send-due-webhooks": {
        "task": "casework.webhooks.tasks.send_due_webhooks",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "purge-idempotency-keys": {
        "task": "casework.core.tasks.purge_idempotency_keys",
        "schedule": timedelta(hours=1),
        "options": {"expires": 55 * 60},
    },
}
