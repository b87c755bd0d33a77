"""Subscriptions: made, changed, rotated and removed by the organisation's managers; paused by
the sender when the receiver keeps failing. Every change is audited; a secret never is."""

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.accounts.choices import Role
from casework.accounts.models import Organisation, User
from casework.accounts.principals import Actor
from casework.audit.services import audit_record
from casework.core.errors import Conflict
from casework.core.unset import UNSET, Unset, given
from casework.reminders.choices import ReminderKind, ReminderStatus
from casework.reminders.models import Reminder

from .choices import EVENTS_BY_KIND, DeliveryStatus
from .destinations import DestinationRefused, check_url, resolve
from .models import WebhookDelivery, WebhookSubscription
from .outbox import enqueue
from .signing import new_secret

# Who manages an organisation's subscriptions, and hears when one is paused.
MANAGER_ROLES = (Role.SUPERVISOR, Role.POLICE_LIAISON)


def _check_destination(url: str) -> None:
    """Refused when saved as on every delivery: a URL of the wrong scheme, or a host that
    resolves to an address a delivery may not go to."""
    try:
        check_url(url)
        resolve(url)
    except DestinationRefused as refused:
        raise ValidationError({"url": [refused.message]}) from None


def _check_events(organisation: Organisation, events: Sequence[str]) -> list[str]:
    offered = EVENTS_BY_KIND.get(organisation.kind, frozenset[str]())
    if not events:
        raise ValidationError({"events": ["Name at least one event."]})
    unknown = sorted(set(events) - offered)
    if unknown:
        raise ValidationError(
            {
                "events": [
                    f"Not an event {organisation.get_kind_display()} systems can receive: "
                    + ", ".join(unknown)
                ]
            }
        )
    return sorted(set(events))


@transaction.atomic
def subscription_create(
    *, organisation: Organisation, by: User, url: str, events: Sequence[str], active: bool = True
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret, which is returned this once only."""
    _check_destination(url)
    secret = new_secret()
    subscription = WebhookSubscription(
        organisation=organisation,
        url=url,
        events=_check_events(organisation, events),
        active=active,
        secret=secret,
        created_by=by,
    )
    subscription.full_clean()
    subscription.save()
    audit_record(
        actor=by,
        action="webhook.create",
        target=subscription,
        organisation=organisation,
        changed_fields=["url", "events", "active"],
    )
    return subscription, secret


@transaction.atomic
def subscription_update(
    *,
    subscription: WebhookSubscription,
    by: User,
    url: str | Unset = UNSET,
    events: Sequence[str] | Unset = UNSET,
    active: bool | Unset = UNSET,
) -> WebhookSubscription:
    """Changes what is given. Turning a paused subscription back on resumes it: its failure
    count starts again and the deliveries it held go out."""
    changes = given(url=url, events=events, active=active)
    locked = WebhookSubscription.objects.select_for_update(no_key=True).get(pk=subscription.pk)
    if isinstance(url, str):
        _check_destination(url)
    if not isinstance(events, Unset):
        changes["events"] = _check_events(locked.organisation, events)
    changed = [field for field, value in changes.items() if getattr(locked, field) != value]
    for field, value in changes.items():
        setattr(locked, field, value)
    resumed = changes.get("active") is True and "active" in changed
    if resumed:
        locked.paused_at, locked.pause_reason, locked.consecutive_failures = None, "", 0
    if not changed:
        return locked
    locked.full_clean()
    locked.save()
    audit_record(
        actor=by,
        action="webhook.update",
        target=locked,
        organisation=locked.organisation,
        changed_fields=changed,
    )
    if resumed:
        # Those being attempted right now are passed by: their attempt decides their time.
        held = list(
            WebhookDelivery.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(subscription=locked, status=DeliveryStatus.PENDING)
            .values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=held).update(next_attempt_at=timezone.now())
        ids = [str(pk) for pk in held[:500]]
        transaction.on_commit(lambda: enqueue(ids), robust=True)
    return locked


@transaction.atomic
def subscription_rotate_secret(
    *, subscription: WebhookSubscription, by: User
) -> tuple[WebhookSubscription, str]:
    """A new secret, returned this once; the one it replaces signs beside it for the overlap,
    so a receiver can change over without a delivery it cannot verify."""
    locked = WebhookSubscription.objects.select_for_update(no_key=True).get(pk=subscription.pk)
    secret = new_secret()
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = timezone.now() + timedelta(
        seconds=settings.WEBHOOKS_SECRET_OVERLAP_SECONDS
    )
    locked.secret = secret
    locked.save()
    audit_record(
        actor=by,
        action="webhook.rotate_secret",
        target=locked,
        organisation=locked.organisation,
        changed_fields=["secret"],
        detail={"previous_secret_expires_at": locked.previous_secret_expires_at.isoformat()},
    )
    return locked, secret


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription, by: User) -> None:
    """Removes the subscription with its delivery log; the events stay (ids only)."""
    locked = WebhookSubscription.objects.select_for_update(no_key=True).get(pk=subscription.pk)
    audit_record(
        actor=by,
        action="webhook.delete",
        target=locked,
        organisation=locked.organisation,
        detail={"subscription": str(locked.pk)},
    )
    locked.delete()


@transaction.atomic
def subscription_pause(*, subscription: WebhookSubscription, reason: str) -> bool:
    """Pauses a subscription whose receiver keeps failing (or said it is gone) and gives each of
    the organisation's managers a reminder to look at it. Runs in the transaction that counts a
    failed attempt; a subscription already paused is left as it is."""
    locked = WebhookSubscription.objects.select_for_update(no_key=True).get(pk=subscription.pk)
    if not locked.active:
        return False
    now = timezone.now()
    locked.active, locked.paused_at, locked.pause_reason = False, now, reason
    locked.save()
    actor: Actor = "webhook-delivery"
    audit_record(
        actor=actor,
        action="webhook.pause",
        target=locked,
        organisation=locked.organisation,
        changed_fields=["active", "paused_at", "pause_reason"],
        detail={"reason": reason, "failures": locked.consecutive_failures},
    )
    managers = User.objects.filter(
        organisation_id=locked.organisation_id, role__in=MANAGER_ROLES, is_active=True
    )
    for manager in managers:
        Reminder.objects.get_or_create(
            dedup_key=f"webhook_paused:{locked.pk}:{now.isoformat()}:{manager.pk}",
            defaults={
                "organisation_id": locked.organisation_id,
                "kind": ReminderKind.WEBHOOK_PAUSED,
                "assignee": manager,
                "due_at": now,
                "status": ReminderStatus.OPEN,
                "detail": {"webhook": str(locked.pk), "reason": reason},
            },
        )
    return True


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Sends a delivery again, now, with what the receiver may see now; its id (the
    ``webhook-id``) stays, so a receiver that had it already can tell."""
    locked = (
        WebhookDelivery.objects.select_for_update(no_key=True, of=("self",))
        .select_related("subscription")
        .get(pk=delivery.pk)
    )
    if not locked.subscription.active:
        raise Conflict("This subscription is paused: turn it back on first.", code="webhook_paused")
    now = timezone.now()
    locked.status = DeliveryStatus.PENDING
    locked.next_attempt_at = now
    locked.retry_until = now + timedelta(seconds=settings.WEBHOOKS_RETRY_WINDOW_SECONDS)
    locked.save()
    audit_record(
        actor=by,
        action="webhook.redeliver",
        target=locked.subscription,
        organisation=locked.subscription.organisation,
        detail={"delivery": str(locked.pk)},
    )
    ids = [str(locked.pk)]
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return locked
