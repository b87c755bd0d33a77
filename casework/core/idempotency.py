"""``Idempotency-Key`` for creates that other systems may retry."""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from casework.core.errors import Conflict

from .models import IdempotencyRecord

T = TypeVar("T", bound=models.Model)

KEY_MAX_LENGTH = 255
RETENTION = timedelta(days=1)


def fingerprint(payload: object) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    *,
    principal: str,
    scope: str,
    key: str,
    payload: object,
    create: Callable[[], T],
    load: Callable[[object], T],
) -> tuple[T, bool]:
    """Runs ``create`` once per (principal, scope, key); returns the object and whether it is a
    replay of an earlier request.

    Two requests racing with one key: the second one's insert of the key waits on the unique index
    until the first commits, then finds the first's record and replays it; if the first rolled
    back, the second proceeds as the first."""
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
                    "This Idempotency-Key was already used with a different request body.",
                    code="idempotency_key_reused",
                ) from None
            return load(existing.resource_id), True
        created = create()
        record.resource_id = created.pk
        record.save(update_fields=["resource_id"])
        return created, False


def purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
