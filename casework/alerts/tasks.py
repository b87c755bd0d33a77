"""Periodic work for alerts."""

from celery import shared_task


@shared_task(name="casework.alerts.tasks.expire_alerts")
def expire_alerts() -> int:
    """Expires published alerts past their lifetime (``ALERT_LIFETIME_DAYS``). Derived from the
    rows each time, so a missed or doubled run changes nothing; the feed and the checker already
    leave out an alert past its expiry before this runs."""
    from .services import expire_alerts as expire

    return expire()
