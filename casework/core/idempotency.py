"""``Idempotency-Key`` for creates that a caller may retry: the first response is kept and a
retry gets it back, so a request that timed out on the way back creates nothing twice."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.core.errors import Conflict

from .models import IdempotencyRecord

KEY_MAX_LENGTH = 255
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)


class NotStored(Exception):
    """Raised by ``produce`` for an answer that must not be kept (a refusal): the key is
    released with everything else the request wrote, and ``answer`` goes back as it is."""

    def __init__(self, answer: object) -> None:
        super().__init__("not stored")
        self.answer = answer


def fingerprint(payload: object) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    *,
    principal: str,
    scope: str,
    key: str,
    payload: object,
    produce: Callable[[], StoredResponse],
) -> tuple[StoredResponse, bool]:
    """Runs ``produce`` once per (principal, scope, key) and keeps its response; returns the
    response and whether it is a replay of an earlier request's.

    ``produce`` runs in the same transaction as the key's record, so a failure leaves neither.
    Two requests racing with one key: the second one's insert of the key waits on the unique
    index until the first commits, then finds the first's response and replays it; if the first
    rolled back, the second proceeds as the first."""
    digest = fingerprint(payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal, scope=scope, key=key, fingerprint=digest
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(principal=principal, scope=scope, key=key)
            if existing.fingerprint != digest:
                raise Conflict(
                    "This Idempotency-Key was already used with a different request.",
                    code="idempotency_key_reused",
                ) from None
            kept = json.loads(existing.response or "{}")
            return (
                StoredResponse(
                    status_code=existing.status_code or 200,
                    body=kept.get("body"),
                    headers=kept.get("headers", {}),
                ),
                True,
            )
        response = produce()
        record.status_code = response.status_code
        record.response = json.dumps({"body": response.body, "headers": response.headers})
        record.save(update_fields=["status_code", "response"])
        return response, False


def purge_expired() -> int:
    """Forgets the keys older than ``RETENTION``, with the responses kept for them."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
