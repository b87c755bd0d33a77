"""Reading subscriptions and their delivery logs, narrowed first to what the caller may see."""

import uuid

from django.db.models import QuerySet

from casework.accounts.principals import Principal
from casework.core.access import visible_to
from casework.sharing.models import SharedCase

from .models import WebhookDelivery, WebhookSubscription


def subscriptions(*, principal: Principal, action: str = "view") -> "QuerySet[WebhookSubscription]":
    """The subscriptions of the caller's organisation, if the caller manages them."""
    return visible_to(WebhookSubscription.objects.all(), principal, action=action).select_related(
        "created_by"
    )


def deliveries(
    *, principal: Principal, subscription_id: uuid.UUID, action: str = "view"
) -> "QuerySet[WebhookDelivery]":
    """One subscription's delivery log, with the event each delivery told of."""
    return (
        visible_to(WebhookDelivery.objects.all(), principal, action=action)
        .filter(subscription_id=subscription_id)
        .select_related("event")
    )


def own_share_reference(*, principal: Principal, share_id: uuid.UUID | str) -> str | None:
    """The reference of a share of the caller's own force, whatever its state now: the name the
    force was given for it when it started, and all a delivery about a share the force no
    longer sees may say of it (with that it ended)."""
    force = getattr(principal, "organisation_id", None)
    if force is None:
        return None
    reference: str | None = (
        SharedCase.objects.filter(pk=share_id, police_force_id=force)
        .values_list("share_reference", flat=True)
        .first()
    )
    return reference
