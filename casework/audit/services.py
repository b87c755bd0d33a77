"""Writing audit events. Every service that changes something calls ``audit_record`` inside its
own transaction, so the event and the change commit or roll back together."""

import ipaddress
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.accounts.principals import Actor, Integration, Principal
from casework.clients.models import Client
from casework.request_context import get_client_ip, get_request_id

from .chain import GENESIS, digest
from .keys import audit_keys
from .models import ActorKind, AuditEvent


def _actor(actor: Actor | None) -> tuple[User | None, str, str]:
    if isinstance(actor, User):
        return actor, ActorKind.PERSON, actor.username
    if isinstance(actor, Integration):
        return None, ActorKind.INTEGRATION, f"api-key:{actor.api_key.prefix}"
    return None, ActorKind.SYSTEM, str(actor or "system")[:160]


def _normalised_ip(value: str | None) -> str | None:
    """As PostgreSQL will give it back, so the hash computed now matches the stored row."""
    try:
        return ipaddress.ip_address(value).compressed if value else None
    except ValueError:
        return None


def _organisation_of(actor: Actor | None) -> Organisation | None:
    if isinstance(actor, User | Integration):
        return actor.organisation
    return None


def _client_of(target: models.Model | None) -> object:
    """The client a record belongs to, where the record says so without another query."""
    if target is None:
        return None
    if isinstance(target, Client):
        return target.pk
    return getattr(target, "client_id", None)


# Two statements sent as one (the connections bind parameters on the client, which allows it):
# the second takes its snapshot after the first has the lock, so it sees every event committed
# by the writer that held the lock before.
LOCKED_TAIL = (
    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0)); "
    "SELECT sequence, hash FROM audit_auditevent "
    "WHERE chain = %s ORDER BY sequence DESC LIMIT 1"
)


def _locked_tail(chain: str) -> tuple[int, str] | None:
    """Takes the chain's lock for the rest of the transaction and reads its last event's
    sequence and link, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(LOCKED_TAIL, [f"audit:{chain}", chain])
        cursor.nextset()
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    organisation: Organisation | None = None,
    case_id: object = None,
    case_ids: Iterable[object] = (),
    client_id: object = None,
    changed_fields: Iterable[str] = (),
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Appends one event to its organisation's chain.

    ``actor`` is a ``User``, an API-key ``Integration`` or a string naming a system process
    (``None`` reads as "system").
    ``organisation`` is whose records the event concerns (by default the target's, else the
    actor's); the actor's own organisation is recorded beside it. ``case_ids`` names further
    cases when one event covers several (a page read at once).
    The chain's tail is read under a transaction-scoped advisory lock per organisation, so two
    writers never fork the chain, and writers in different organisations never wait for each other.
    Every read of a record writes one, so its cost is kept to two statements: the lock with the
    tail, then the event.
    """
    organisation = organisation or getattr(target, "organisation", None) or _organisation_of(actor)
    chain = str(organisation.pk) if organisation else "platform"
    user, kind, label = _actor(actor)
    actor_organisation = _organisation_of(actor)
    # Ids are stored as PostgreSQL gives them back, so the link computed now verifies later.
    case_id = uuid.UUID(str(case_id)) if case_id else None
    others = sorted({str(uuid.UUID(str(i))) for i in case_ids} - {str(case_id)})
    client_id = client_id or _client_of(target)
    with transaction.atomic():
        tail = _locked_tail(chain)
        sequence, previous = (tail[0] + 1, tail[1]) if tail else (1, GENESIS)
        event = AuditEvent(
            chain=chain,
            sequence=sequence,
            occurred_at=timezone.now().astimezone(UTC),
            organisation=organisation,
            actor=user,
            actor_organisation=actor_organisation,
            actor_kind=kind,
            actor_label=label,
            action=action,
            object_type=(target._meta.model_name or "") if target is not None else "",
            object_id=str(getattr(target, "audit_id", target.pk)) if target is not None else "",
            case_id=case_id,
            case_ids=others,
            client_id=uuid.UUID(str(client_id)) if client_id else None,
            changed_fields=sorted(set(changed_fields)),
            detail=dict(detail or {}),
            request_id=get_request_id() or "",
            ip_address=_normalised_ip(get_client_ip()),
            previous_hash=previous,
            hash_key_id=audit_keys().primary_id,
        )
        event.hash = digest(event)
        event.save(force_insert=True)
    return event


def audit_export_record(*, by: Principal, rows: int, filters: Mapping[str, str]) -> AuditEvent:
    """An export of the trail is itself an event: who took how many rows, under which filters."""
    return audit_record(
        actor=by, action="audit.export", detail={"rows": rows, "filters": dict(filters)}
    )
