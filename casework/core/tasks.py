"""Periodic housekeeping for the API's guarantees."""

from celery import shared_task

from .idempotency import purge_expired


@shared_task(name="casework.core.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forgets expired ``Idempotency-Key`` records and the responses kept with them; harmless to
    run twice."""
    return purge_expired()
