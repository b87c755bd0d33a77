"""Periodic work for attachments."""

from celery import shared_task


@shared_task(name="casework.attachments.tasks.reconcile_attachment_storage")
def reconcile_attachment_storage() -> dict[str, int]:
    """Removes stored files with no record and reports records with no file. Derived from the
    storage and the rows each time, so a missed or doubled run changes nothing."""
    from .services import attachments_reconcile

    return attachments_reconcile()
