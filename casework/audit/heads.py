"""Exported chain heads: at each export, the last (sequence, hash) of every audit chain, signed
with the primary audit key, written as one JSON line to the "casework.audit.heads" log and
appended to ``AUDIT_HEAD_EXPORT_PATH``.

The chain alone shows a change in the middle; it cannot show that its last events were deleted,
or that someone holding the audit key rewrote it from some point on. An exported head can: it
is kept outside the database, where the application's database role cannot reach, so the chain
must still reach that sequence with that hash (``verify_audit``). A head's signature means a
line nobody with only the file can write passes for one."""

import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .keys import UnknownAuditKey, audit_keys
from .models import AuditEvent

logger = logging.getLogger("casework.audit.heads")

KIND = "casework.audit.head"
_FIELDS = {"kind", "chain", "sequence", "hash", "exported_at", "key_id"}


@dataclass(frozen=True)
class Head:
    chain: str
    sequence: int
    hash: str
    exported_at: str
    key_id: str
    signature: str

    def content(self) -> dict:
        """What the signature covers: everything but the signature itself."""
        fields = asdict(self)
        del fields["signature"]
        return {"kind": KIND, **fields}

    def line(self) -> str:
        return _canonical({**self.content(), "signature": self.signature}).decode()


@dataclass(frozen=True)
class RefusedLine:
    number: int
    reason: str


def _canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def sign(chain: str, sequence: int, link: str, exported_at: datetime) -> Head:
    """The head of ``chain`` (its last event's sequence and link), signed with the primary key."""
    keys = audit_keys()
    unsigned = Head(
        chain=chain,
        sequence=sequence,
        hash=link,
        exported_at=exported_at.astimezone(UTC).isoformat(timespec="microseconds"),
        key_id=keys.primary_id,
        signature="",
    )
    signature = keys.mac(_canonical(unsigned.content()), keys.primary_id)
    return Head(**{**asdict(unsigned), "signature": signature})


def current_heads() -> list[tuple[str, int, str]]:
    """(chain, last sequence, its hash) of every chain, through the (chain, sequence) index."""
    return list(
        AuditEvent.objects.order_by("chain", "-sequence")
        .distinct("chain")
        .values_list("chain", "sequence", "hash")
    )


def export_heads(path: str | None = None) -> list[Head]:
    """Signs and writes the head of every chain; ``path`` defaults to the setting (empty: the
    log line only)."""
    now = timezone.now()
    heads = [sign(chain, sequence, link, now) for chain, sequence, link in current_heads()]
    for head in heads:
        logger.info("audit chain head", extra={"audit_head": json.loads(head.line())})
    target = settings.AUDIT_HEAD_EXPORT_PATH if path is None else path
    if target and heads:
        _append(Path(target), [head.line() for head in heads])
    return heads


def _append(path: Path, lines: Iterable[str]) -> None:
    """One write per line on a file opened for appending: lines from exports running at the
    same time (two workers) never interleave within a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        for line in lines:
            os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_heads(path: str | Path) -> tuple[dict[str, Head], list[RefusedLine]]:
    """The latest head of each chain in an export file, and every line refused.

    A line is refused unless it is a head (or a log entry carrying one) whose signature its
    audit key verifies. Of a chain's heads the one with the highest sequence is kept: the chain
    must reach at least that far."""
    latest: dict[str, Head] = {}
    refused: list[RefusedLine] = []
    with open(path, encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            head, reason = parse(text)
            if head is None:
                refused.append(RefusedLine(number, reason))
                continue
            known = latest.get(head.chain)
            if known is None or head.sequence > known.sequence:
                latest[head.chain] = head
    return latest, refused


def parse(text: str) -> tuple[Head | None, str]:
    """A verified head from one line, or None and why not."""
    try:
        fields = json.loads(text)
    except ValueError:
        return None, "not JSON"
    if isinstance(fields, dict) and isinstance(fields.get("extra"), dict):
        fields = fields["extra"].get("audit_head")  # a line of the log rather than the file
    if not isinstance(fields, dict) or set(fields) != _FIELDS | {"signature"}:
        return None, "not an audit head, or an unsigned one"
    if fields["kind"] != KIND or not _well_formed(fields):
        return None, "not an audit head"
    head = Head(**{k: v for k, v in fields.items() if k != "kind"})
    try:
        expected = audit_keys().mac(_canonical(head.content()), head.key_id)
    except UnknownAuditKey:
        return None, f"signed with audit key {head.key_id!r}, not in AUDIT_HASH_KEYS"
    if not hmac.compare_digest(expected.encode(), head.signature.encode()):
        return None, "its signature does not match (forged or altered)"
    return head, ""


def _well_formed(fields: dict) -> bool:
    text = ("chain", "hash", "exported_at", "key_id", "signature")
    sequence = fields["sequence"]
    return (
        all(isinstance(fields[name], str) for name in text)
        and isinstance(sequence, int)
        and not isinstance(sequence, bool)
        and sequence >= 1
    )
