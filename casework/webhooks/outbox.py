"""Events written in the transaction of the change they tell of, with one delivery row for each
subscription that wants them; the worker is asked to send them once that transaction commits.
A change that rolls back leaves no event, and a worker or broker that loses the task loses
nothing: the beat sweep finds every delivery whose time has come.

Subjects name records by id only. Each helper is called by the service that makes the change."""

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .choices import EVENT_VERSION, EventType
from .models import WebhookDelivery, WebhookEvent, WebhookSubscription


def emit(
    event_type: str,
    *,
    organisation_id: uuid.UUID,
    subject: Mapping[str, object],
    occurred_at: datetime | None = None,
) -> WebhookEvent | None:
    """Records the event for ``organisation_id`` if any of its active subscriptions wants it;
    nothing is written otherwise. One query when nobody listens."""
    subscriptions = list(
        WebhookSubscription.objects.filter(
            organisation_id=organisation_id, active=True, events__contains=[event_type]
        ).values_list("pk", flat=True)
    )
    if not subscriptions:
        return None
    now = timezone.now()
    event = WebhookEvent.objects.create(
        organisation_id=organisation_id,
        type=event_type,
        version=EVENT_VERSION,
        occurred_at=occurred_at or now,
        subject={key: str(value) for key, value in subject.items()},
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription_id=subscription,
            event=event,
            next_attempt_at=now,
            retry_until=now + timedelta(seconds=settings.WEBHOOKS_RETRY_WINDOW_SECONDS),
            created_at=now,
        )
        for subscription in subscriptions
    )
    ids = [str(d.pk) for d in deliveries]
    # Robust: with the broker down the change still stands (committed already) and its request
    # still succeeds; the beat's sweep sends the deliveries once the broker is back.
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return event


def enqueue(delivery_ids: Iterable[str], *, countdown: float = 0) -> None:
    from .tasks import deliver_webhook

    queue = settings.WEBHOOKS_CELERY_QUEUE or None
    for delivery_id in delivery_ids:
        deliver_webhook.apply_async(args=[delivery_id], countdown=countdown, queue=queue)


# --- a charity's events ---------------------------------------------------------------------


def referral_received(referral: Any) -> None:
    emit(
        EventType.REFERRAL_RECEIVED,
        organisation_id=referral.organisation_id,
        subject={"referral": referral.pk},
    )


def case_assigned(case: Any, user: Any) -> None:
    emit(
        EventType.CASE_ASSIGNED,
        organisation_id=case.organisation_id,
        subject={"case": case.pk, "user": user.pk},
    )


def consent_recorded(decision: Any) -> None:
    emit(
        EventType.CONSENT_RECORDED,
        organisation_id=decision.case.organisation_id,
        subject={"case": decision.case_id, "consent_decision": decision.public_id},
    )


def reminders_due(rows: Iterable[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]) -> None:
    """``rows``: (reminder, organisation, case) of reminders a scan has just made due. Only
    charities subscribe to reminders; a force's reminders are its officers' own. One query
    finds who listens, so a scan that makes many reminders for nobody costs one more."""
    rows = list(rows)
    if not rows:
        return
    listening = set(
        WebhookSubscription.objects.filter(
            organisation_id__in={row[1] for row in rows},
            active=True,
            events__contains=[EventType.REMINDER_DUE],
        ).values_list("organisation_id", flat=True)
    )
    for reminder_id, organisation_id, case_id in rows:
        if organisation_id not in listening:
            continue
        emit(
            EventType.REMINDER_DUE,
            organisation_id=organisation_id,
            subject={"reminder": reminder_id, "case": case_id},
        )


# --- what crosses a share ---------------------------------------------------------------------


def share_started(share: Any) -> None:
    emit(
        EventType.SHARE_STARTED,
        organisation_id=share.police_force_id,
        subject={"shared_case": share.pk},
    )


def share_ended(share: Any) -> None:
    emit(
        EventType.SHARE_ENDED,
        organisation_id=share.police_force_id,
        subject={"shared_case": share.pk},
    )


def shared_update_posted(update: Any, *, charity_id: uuid.UUID, case_id: uuid.UUID) -> None:
    """The force hears of every update on its share; the charity of those its police post."""
    share = update.shared_case
    emit(
        EventType.SHARED_UPDATE_POSTED,
        organisation_id=share.police_force_id,
        subject={"shared_case": share.pk, "shared_update": update.pk},
    )
    if update.from_police:
        emit(
            EventType.POLICE_UPDATE_POSTED,
            organisation_id=charity_id,
            subject={"case": case_id, "shared_update": update.pk},
        )


def court_event_changed(event: Any) -> None:
    """The charity hears of every hearing of its case; each force whose share shows hearings
    (an identified share in force) hears of those of the charity and of its own share's."""
    from casework.sharing.choices import SharingLevel
    from casework.sharing.ledger import shares_in_force
    from casework.sharing.models import SharedCase

    shares = [
        share
        for share in shares_in_force(
            SharedCase.objects.filter(case_id=event.case_id, level=SharingLevel.IDENTIFIED)
        )
        if event.shared_case_id in (None, share.pk)
    ]
    emit(
        EventType.COURT_EVENT_CHANGED,
        organisation_id=event.case.organisation_id,
        subject={"case": event.case_id, "court_event": event.pk},
    )
    for share in shares:
        emit(
            EventType.SHARED_COURT_EVENT_CHANGED,
            organisation_id=share.police_force_id,
            subject={"shared_case": share.pk, "court_event": event.pk},
        )
