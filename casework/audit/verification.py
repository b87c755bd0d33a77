"""Walking the audit chains to find the first broken link, and checking each against its last
exported head: a chain that no longer reaches the head lost its tail; one whose event there has
another link was rewritten."""

from collections.abc import Iterator
from dataclasses import dataclass

from .chain import GENESIS, digest, same_digest
from .heads import Head
from .keys import UnknownAuditKey
from .models import AuditEvent


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    sequence: int
    event_id: int | None
    problem: str


def verify_chain(
    chain: str, *, head: Head | None = None, batch_size: int = 2000
) -> tuple[int, BrokenLink | None]:
    """Returns how many events were checked and the first broken link, if any; with ``head``,
    the chain must also reach it and agree with it."""
    expected_sequence, previous = 1, GENESIS
    checked = 0
    keyed = False
    at_head: AuditEvent | None = None
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
        if head is not None and event.sequence == head.sequence:
            at_head = event
    if head is not None:
        return checked, _against_head(chain, head, checked, at_head)
    return checked, None


def _against_head(
    chain: str, head: Head, last: int, at_head: AuditEvent | None
) -> BrokenLink | None:
    if at_head is None:
        return BrokenLink(
            chain,
            last + 1,
            None,
            f"the chain ends at event {last}, but its head exported at {head.exported_at} was "
            f"event {head.sequence}: events after {last} were removed",
        )
    if not same_digest(at_head.hash, head.hash):
        return BrokenLink(
            chain,
            head.sequence,
            at_head.id,
            f"its hash differs from the head exported at {head.exported_at}: the chain was "
            "rewritten",
        )
    return None


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
