"""Periodic work for approvals."""

from celery import shared_task


@shared_task(name="casework.approvals.tasks.expire_approvals")
def expire_approvals() -> int:
    """Marks proposals nobody decided in time as expired. Derived from the rows each time, so a
    missed or doubled run changes nothing."""
    from .services import expire_approvals as expire

    return expire()
