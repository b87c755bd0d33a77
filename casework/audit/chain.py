"""The hash over an audit event: SHA-256 of its canonical content and its predecessor's hash."""

import hashlib
import json

GENESIS = "0" * 64


def canonical(event) -> bytes:
    content = {
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
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def digest(event) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()
