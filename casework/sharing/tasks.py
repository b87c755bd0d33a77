"""Periodic work for consent and sharing."""

from celery import shared_task


@shared_task(name="casework.sharing.tasks.expire_lapsed_consents")
def expire_lapsed_consents() -> int:
    """Ends shares whose consent review date has passed without renewal. Derived from the
    ledger each time, so a missed or doubled run changes nothing."""
    from .services import expire_lapsed_consents as expire

    return expire()
