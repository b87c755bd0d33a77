from celery import shared_task


@shared_task(name="casework.privacy.tasks.apply_retention")
def apply_retention() -> dict:
    """Anonymises closed cases past their organisation's retention period, a batch at a time;
    the next run continues where this one stopped."""
    from .retention import apply

    return apply()
