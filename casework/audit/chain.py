"""The link between audit events: an HMAC-SHA-256, under an audit key, of an event's canonical
content and its predecessor's link.

Events written before the audit keys existed carry a plain SHA-256 of a shorter content and no
key id; they can only open a chain, never follow a keyed event (``verification`` refuses that),
so nobody can append unkeyed events that would verify without the key."""

import hashlib
import hmac
import json

from .keys import audit_keys

GENESIS = "0" * 64


def _content(event) -> dict:
    return {
        "chain": event.chain,
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "organisation": str(event.organisation_id) if event.organisation_id else None,
        "actor": str(event.actor_id) if event.actor_id else None,
        "actor_kind": event.actor_kind,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "case_id": str(event.case_id) if event.case_id else None,
        "changed_fields": list(event.changed_fields),
        "detail": event.detail,
        "request_id": event.request_id,
        "ip_address": event.ip_address,
        "previous_hash": event.previous_hash,
    }


def canonical(event) -> bytes:
    content = _content(event)
    if event.hash_key_id:
        content |= {
            "actor_organisation": (
                str(event.actor_organisation_id) if event.actor_organisation_id else None
            ),
            "case_ids": sorted(str(i) for i in event.case_ids),
            "client_id": str(event.client_id) if event.client_id else None,
            "hash_key_id": event.hash_key_id,
        }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def digest(event) -> str:
    """The event's link. Raises ``UnknownAuditKey`` for a key id not configured."""
    if not event.hash_key_id:
        return hashlib.sha256(canonical(event)).hexdigest()
    return audit_keys().mac(canonical(event), event.hash_key_id)


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
