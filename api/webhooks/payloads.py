"""What a webhook delivery carries, built when it is sent, from the receiving organisation's own
view: the selectors, the queryset restriction and the serializers its API key would be served
by, so a delivery can never say more than a ``GET`` with that key would at the same moment.

A force's delivery shows the share as ``GET shared-cases/{id}/`` does (an anonymous share stays
anonymous); a share no longer visible to the force (withdrawn, lapsed) is told only that it
ended, whatever the event was about. A charity's API keys read none of its cases, so a charity's
delivery names the records by id only, for its staff to read with their own access."""

from typing import Any

from django.utils import timezone

from casework.accounts.choices import SCOPES_BY_KIND
from casework.accounts.models import ApiKey, Organisation
from casework.accounts.principals import Integration
from casework.sharing import selectors as sharing
from casework.webhooks import selectors as webhooks
from casework.webhooks.choices import EVENTS_BY_KIND, EventType
from casework.webhooks.delivery import Payload
from casework.webhooks.models import WebhookDelivery, WebhookEvent
from permissions.fields import JUSTICE, share_allows
from permissions.querysets import ended_shares

from ..court.serializers import PoliceCourtEventOutput
from ..sharing.serializers import EndedShareOutput, SharedCaseDetail, SharedUpdateOutput


def key_principal(organisation: Organisation) -> Integration:
    """The organisation's API-key caller with every scope a key of its kind may hold: what
    the organisation's own systems could read, and no more."""
    key = ApiKey(organisation=organisation, name="webhooks", prefix="webhook")
    return Integration(api_key=key, scopes=SCOPES_BY_KIND.get(organisation.kind, frozenset()))


def build_payload(delivery: WebhookDelivery) -> Payload | None:
    """The delivery's type and data now (``None``: nothing the receiver may see)."""
    event = delivery.event
    organisation = delivery.subscription.organisation
    # A deactivated organisation's keys are refused: its systems are told nothing either.
    if not organisation.is_active or event.organisation_id != organisation.pk:
        return None
    if event.type not in EVENTS_BY_KIND.get(organisation.kind, frozenset()):
        return None
    principal = key_principal(organisation)
    if organisation.is_police:
        return _police_payload(principal, event)
    return Payload(type=event.type, data=dict(event.subject))


def _police_payload(principal: Integration, event: WebhookEvent) -> Payload | None:
    share_id = str(event.subject.get("shared_case"))
    share = sharing.shared_cases(principal=principal).filter(pk=share_id).first()
    if share is None or event.type == EventType.SHARE_ENDED:
        return _ended(principal, share_id)
    if event.type == EventType.SHARE_STARTED:
        return Payload(
            type=event.type, data={"shared_case": SharedCaseDetail(share).data}, shares=(share,)
        )
    if not share_allows(share, JUSTICE):
        return None
    data: dict[str, Any] | None = None
    if event.type == EventType.SHARED_UPDATE_POSTED:
        update = (
            sharing.shared_updates(principal=principal, share=share)
            .filter(pk=event.subject.get("shared_update"))
            .first()
        )
        data = {"update": SharedUpdateOutput(update).data} if update is not None else None
    elif event.type == EventType.SHARED_COURT_EVENT_CHANGED:
        hearing = (
            sharing.court_events_on_share(share).filter(pk=event.subject.get("court_event")).first()
        )
        data = {"court_event": PoliceCourtEventOutput(hearing).data} if hearing else None
    if data is None:
        return None
    reference = {"id": str(share.pk), "share_reference": share.share_reference}
    return Payload(type=event.type, data={"shared_case": reference, **data}, shares=(share,))


def _ended(principal: Integration, share_id: str) -> Payload | None:
    """That the share ended, and on which day: all a force is told of a share it no longer
    sees. A share past its review date that the nightly sweep has not ended yet has ended for
    the force all the same (it no longer sees it), today."""
    ended = ended_shares(principal).filter(pk=share_id).first()
    if ended is not None:
        return Payload(type=EventType.SHARE_ENDED, data=dict(EndedShareOutput(ended).data))
    reference = webhooks.own_share_reference(principal=principal, share_id=share_id)
    if reference is None:
        return None
    return Payload(
        type=EventType.SHARE_ENDED,
        data={"share_reference": reference, "ended_on": timezone.localdate().isoformat()},
    )
