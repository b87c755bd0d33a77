"""Walking the audit chains to find the first broken link."""

from collections.abc import Iterator
from dataclasses import dataclass

from .chain import GENESIS, digest, same_digest
from .keys import UnknownAuditKey
from .models import AuditEvent


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    sequence: int
    event_id: int | None
    problem: str


def verify_chain(chain: str, *, batch_size: int = 2000) -> tuple[int, BrokenLink | None]:
    """Returns how many events were checked and the first broken link, if any."""
    expected_sequence, previous = 1, GENESIS
    checked = 0
    keyed = False
    for event in _events(chain, batch_size):
        if event.sequence != expected_sequence:
            return checked, BrokenLink(
                chain, expected_sequence, event.id, f"event {expected_sequence} is missing"
            )
        if event.previous_hash != previous:
            return checked, BrokenLink(
                chain, event.sequence, event.id, "does not point at its predecessor's hash"
            )
        if keyed and not event.hash_key_id:
            return checked, BrokenLink(
                chain, event.sequence, event.id, "an unkeyed link follows a keyed one"
            )
        keyed = keyed or bool(event.hash_key_id)
        try:
            expected = digest(event)
        except UnknownAuditKey:
            return checked, BrokenLink(
                chain,
                event.sequence,
                event.id,
                f"its link was made with audit key {event.hash_key_id!r}, not in AUDIT_HASH_KEYS",
            )
        if not same_digest(expected, event.hash):
            return checked, BrokenLink(
                chain, event.sequence, event.id, "its content does not match its hash"
            )
        previous, expected_sequence = event.hash, expected_sequence + 1
        checked += 1
    return checked, None


def _events(chain: str, batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(chain=chain, sequence__gt=last).order_by("sequence")[
                :batch_size
            ]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


def chains() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
