"""Periodic work for police contact requests."""

from celery import shared_task


@shared_task(name="casework.contact_requests.tasks.expire_contact_requests")
def expire_contact_requests() -> int:
    """Expires open requests whose window has ended. Derived from the rows each time, so a
    missed or doubled run changes nothing."""
    from .services import contact_requests_expire

    return contact_requests_expire()
