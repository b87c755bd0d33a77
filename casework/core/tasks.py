"""Periodic housekeeping for the API's guarantees."""

from celery import shared_task

from .idempotency import purge_expired


@shared_task(name="casework.core.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forgets expired ``Idempotency-Key`` records and the responses kept with them; harmless to
    run twice."""
    return purge_expired()


@shared_task(name="casework.core.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Marks the worker that runs it as seen now (the beat scheduler is marked when it sends
    this: ``casework.core.heartbeats``). The operators' status page reads both."""
    from .heartbeats import seen

    seen(f"worker:{heartbeat.request.hostname or 'unknown'}")
