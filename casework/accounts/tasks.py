"""Periodic housekeeping for accounts."""

from celery import shared_task
from django.utils import timezone
from knox.models import AuthToken


@shared_task(name="casework.accounts.tasks.purge_expired_tokens")
def purge_expired_tokens() -> int:
    """Deletes expired sign-in tokens; harmless to run twice."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


@shared_task(name="casework.accounts.tasks.ping")
def ping(value: str) -> dict:
    """Round trip through broker and worker, used by tests and by operators to prove a worker
    is consuming: it echoes the value with the worker's process id."""
    import os

    return {"echo": value, "worker_pid": os.getpid()}
