"""Celery tasks for webhooks: thin and late-acknowledged. Each derives its work from the
delivery rows, so a lost, late or doubled task sends nothing twice at once and loses nothing."""

from celery import shared_task


@shared_task(name="casework.webhooks.tasks.deliver_webhook", acks_late=True, soft_time_limit=60)
def deliver_webhook(delivery_id: str) -> str:
    """One attempt at one delivery; if it is due again, asks for the attempt then (the sweep
    would find it anyway)."""
    from .delivery import attempt
    from .outbox import enqueue

    outcome, due_again = attempt(delivery_id)
    if due_again is not None:
        enqueue([delivery_id], countdown=due_again)
    return outcome


@shared_task(name="casework.webhooks.tasks.send_due_webhooks")
def send_due_webhooks() -> int:
    """Every minute: each delivery whose time has come and whose subscription is on gets a
    task, whether or not one is already queued (a worker killed mid-attempt, a broker that lost
    its queue). A delivery being attempted is locked, and the second task passes it by."""
    from django.utils import timezone

    from .choices import DeliveryStatus
    from .models import WebhookDelivery
    from .outbox import enqueue

    ids = [
        str(pk)
        for pk in WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=timezone.now(),
            subscription__active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    ]
    enqueue(ids)
    return len(ids)
