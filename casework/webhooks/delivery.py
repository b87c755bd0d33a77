"""Sending one delivery: one attempt at a time, to a checked address, signed, with a short
timeout; then either done, or due again later, or given up, and the subscription paused after
too many failures in a row.

The delivery's row stays locked (``SKIP LOCKED`` for anyone else) while its attempt runs, in the
attempt's own transaction: a second task for the same delivery passes it by, and a worker killed
mid-attempt releases the lock with its connection, leaving the delivery due for the sweep. A
receiver may then get an attempt twice; the ``webhook-id`` is the same, so it can tell."""

import json
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from casework.audit.services import audit_record

from .choices import DeliveryStatus, PauseReason
from .destinations import DestinationRefused, resolve
from .models import WebhookDelivery, WebhookSubscription
from .services import subscription_pause
from .signing import signed_headers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Payload:
    """What one delivery carries: the event type the receiver is told (a share that ended
    before a delivery about it went says only that), and the data it may see."""

    type: str
    data: dict[str, Any]
    # The shares whose shared part it shows: a police read, audited in each charity's chain.
    shares: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Outcome:
    sent: bool = True  # False: refused before anything left (the destination)
    delivered: bool = False
    retry: bool = False
    gone: bool = False
    status: int | None = None
    error: str = ""
    retry_after: float | None = None
    duration_ms: int | None = None


def build_payload(delivery: WebhookDelivery) -> Payload | None:
    """The one place a delivery's content is made (``WEBHOOKS_PAYLOAD_BUILDER``), at the moment
    it is sent and as the receiving organisation may see it then; ``None`` when there is nothing
    it may see. A record of what was disclosed hooks here."""
    builder = import_string(settings.WEBHOOKS_PAYLOAD_BUILDER)
    result: Payload | None = builder(delivery)
    return result


def body_of(delivery: WebhookDelivery, payload: Payload) -> str:
    return json.dumps(
        {
            "id": str(delivery.event_id),
            "type": payload.type,
            "version": delivery.event.version,
            "timestamp": delivery.event.occurred_at.isoformat(),
            "data": payload.data,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def secrets_in_force(subscription: WebhookSubscription) -> list[str]:
    secrets = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and expires > timezone.now():
        secrets.append(subscription.previous_secret)
    return secrets


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - timezone.now()).total_seconds())


def _read_limited(response: httpx.Response, deadline: float) -> None:
    """Reads at most the configured number of bytes of the answer, within the deadline."""
    read = 0
    for chunk in response.iter_raw():
        read += len(chunk)
        if read >= settings.WEBHOOKS_RESPONSE_LIMIT_BYTES or time.monotonic() > deadline:
            return


def send(url: str, *, message_id: str, body: str, secrets: list[str]) -> Outcome:
    """One attempt: to the address the host resolved to, once checked; no redirects followed."""
    try:
        destination = resolve(url)
    except DestinationRefused as refused:
        return Outcome(sent=False, retry=refused.code == "dns", error=refused.code)
    target = httpx.URL(url)
    pinned = target.copy_with(host=str(destination.address))
    headers = {
        "content-type": "application/json",
        "user-agent": "Casework-Webhooks/1",
        "host": target.netloc.decode("ascii"),
        **signed_headers(message_id=message_id, body=body, secrets_in_force=secrets),
    }
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    started = time.monotonic()
    deadline = started + timeout
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                pinned,
                content=body.encode(),
                headers=headers,
                extensions={"sni_hostname": destination.host},
            ) as response,
        ):
            _read_limited(response, deadline)
            code = response.status_code
            retry_after = _retry_after(response)
    except httpx.TimeoutException:
        return Outcome(retry=True, error="timeout", duration_ms=_ms(started))
    except (httpx.HTTPError, OSError, ValueError):
        return Outcome(retry=True, error="connection", duration_ms=_ms(started))
    duration = _ms(started)
    if 200 <= code < 300:
        return Outcome(delivered=True, status=code, duration_ms=duration)
    if code == 410:
        return Outcome(gone=True, status=code, error="gone", duration_ms=duration)
    retry = code == 429 or code >= 500
    return Outcome(
        retry=retry,
        status=code,
        error=f"http_{code}",
        retry_after=retry_after if retry else None,
        duration_ms=duration,
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def backoff(attempts: int) -> float:
    """Seconds before the next attempt: doubling from the base, capped, with full jitter over
    the upper half so receivers coming back are not hit by every sender at once."""
    ceiling = min(
        settings.WEBHOOKS_RETRY_MAX_SECONDS,
        settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1),
    )
    return float(ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311  (not a secret)


def attempt(delivery_id: str | uuid.UUID) -> tuple[str, float | None]:
    """Makes the delivery's next attempt if it is due and nobody else is making it. Returns
    what happened and, when it is due again, in how many seconds.

    The subscription's count of failures in a row is kept after the attempt's transaction, in
    one of its own: the attempt never waits for the subscription's row while holding its
    delivery's, so an edit of the subscription (which holds the subscription's row and then
    touches its deliveries) can never deadlock with it."""
    result, due_again, outcome, subscription_id = _attempt(delivery_id)
    if outcome is not None and subscription_id is not None:
        _count(subscription_id, outcome)
    return result, due_again


def _attempt(
    delivery_id: str | uuid.UUID,
) -> tuple[str, float | None, Outcome | None, uuid.UUID | None]:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(no_key=True, skip_locked=True, of=("self",))
            .select_related("subscription", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped", None, None, None
        now = timezone.now()
        if delivery.next_attempt_at > now:
            return "not_due", None, None, None
        subscription = delivery.subscription
        if not subscription.active:
            return "paused", None, None, None
        if delivery.retry_until <= now:
            # Held past its window (its subscription was off): too late to tell of it now.
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "expired"
            delivery.save(update_fields=["status", "last_error"])
            return "expired", None, None, None
        payload = build_payload(delivery)
        if payload is None:
            delivery.status = DeliveryStatus.WITHHELD
            delivery.save(update_fields=["status"])
            return "withheld", None, None, None
        body = body_of(delivery, payload)
        outcome = send(
            subscription.url,
            message_id=str(delivery.pk),
            body=body,
            secrets=secrets_in_force(subscription),
        )
        if outcome.sent and payload.shares:
            _audit_police_read(delivery, payload)
            _disclose(delivery, payload, body)
        if not outcome.sent and outcome.error != "dns":
            audit_record(
                actor="webhook-delivery",
                action="security.webhook_destination_refused",
                target=subscription,
                organisation=subscription.organisation,
                detail={"delivery": str(delivery.pk), "reason": outcome.error},
            )
        result, due_again = _record(delivery, outcome)
        return result, due_again, outcome, subscription.pk


def _disclose(delivery: WebhookDelivery, payload: Payload, body: str) -> None:
    """A delivery to a force is a disclosure like any other package that leaves the charity: the
    body it was sent, kept once per delivery and share (a retry of the same body adds nothing),
    under the decision the share rests on."""
    from casework.disclosures.choices import DisclosureKind
    from casework.disclosures.services import record_disclosure, share_basis

    for share in payload.shares:
        basis = share_basis(share)
        if basis is None:
            continue
        record_disclosure(
            case=share.case,
            kind=DisclosureKind.WEBHOOK_DELIVERY,
            recipient=delivery.subscription.organisation,
            content=body,
            actor=f"webhook:{delivery.subscription_id}",
            series=f"webhook:{uuid.UUID(str(delivery.pk)).hex}:{uuid.UUID(str(share.pk)).hex}",
            consent_decision=basis,
            shared_case=share,
            destination=delivery.subscription.url,
            only_if_changed=True,
        )


def _audit_police_read(delivery: WebhookDelivery, payload: Payload) -> None:
    """What went to a force about a share is the charity's record, as every police read is:
    one event in the owning charity's chain per share, after the attempt (so the advisory lock
    of the chain is never held while a receiver is waited for)."""
    for share in payload.shares:
        audit_record(
            actor=f"webhook:{delivery.subscription_id}",
            action="shared_case.webhook_delivery",
            target=share,
            organisation=share.case.organisation,
            case_id=share.case_id,
            detail={
                "share": share.share_reference,
                "police_force": str(share.police_force_id),
                "delivery": str(delivery.pk),
                "type": payload.type,
            },
        )


def _record(delivery: WebhookDelivery, outcome: Outcome) -> tuple[str, float | None]:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status
    delivery.last_error = outcome.error
    delivery.duration_ms = outcome.duration_ms
    if outcome.delivered:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.save()
        return "delivered", None
    due_again: float | None = None
    if outcome.retry:
        delay = max(backoff(delivery.attempts), outcome.retry_after or 0)
        if now + timedelta(seconds=delay) <= delivery.retry_until:
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            due_again = delay
    if due_again is None:
        delivery.status = DeliveryStatus.FAILED
    delivery.save()
    logger.info(
        "webhook attempt failed",
        extra={
            "delivery": str(delivery.pk),
            "error": outcome.error,
            "status": outcome.status,
            "retry_in": due_again,
        },
    )
    return ("retry" if due_again is not None else "failed"), due_again


@transaction.atomic
def _count(subscription_id: uuid.UUID, outcome: Outcome) -> None:
    """Failures in a row across the subscription's deliveries: a 2xx sets the count back to
    nothing; too many, or a 410, pause the subscription."""
    subscriptions = WebhookSubscription.objects.filter(pk=subscription_id)
    if outcome.delivered:
        subscriptions.exclude(consecutive_failures=0).update(consecutive_failures=0)
        return
    subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
    subscription = subscriptions.first()
    if subscription is None:
        return
    if outcome.gone:
        subscription_pause(subscription=subscription, reason=PauseReason.GONE)
    elif subscription.consecutive_failures >= settings.WEBHOOKS_PAUSE_AFTER_FAILURES:
        subscription_pause(subscription=subscription, reason=PauseReason.FAILURES)
