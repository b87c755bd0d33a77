"""A case's timeline: everything that happened, newest first, from several tables.

Each kind of event is a *source* (a queryset over one table and how to describe a row). A page
takes at most ``limit + 1`` rows from each source past the cursor (one query per kind) and merges
them, so the cost of a page does not grow with the length of the history. The cursor is the
position of the last item shown: (time, kind, id), compared in that order."""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from .models import Case, CaseTransition, ContactLogEntry, Note, Referral


@dataclass(frozen=True)
class TimelineItem:
    kind: str
    id: str
    occurred_at: datetime
    actor: str | None
    data: dict

    @property
    def position(self) -> tuple:
        return (self.occurred_at, self.kind, self.id)


@dataclass(frozen=True)
class Source:
    kind: str
    time_field: str
    rows: Callable[[Case], QuerySet]
    describe: Callable[[object], dict]
    actor: Callable[[object], str | None]


SOURCES: list[Source] = []


def register(source: Source) -> None:
    SOURCES.append(source)


def _username(user) -> str | None:
    return user.username if user is not None else None


register(
    Source(
        kind="referral",
        time_field="received_at",
        rows=lambda case: Referral.objects.filter(case=case).select_related("created_by"),
        describe=lambda r: {"source": r.source, "urgency": r.urgency, "status": r.status},
        actor=lambda r: (
            _username(r.created_by) or ("integration" if r.created_by_api_key_id else None)
        ),
    )
)
register(
    Source(
        kind="transition",
        time_field="occurred_at",
        rows=lambda case: CaseTransition.objects.filter(case=case).select_related("actor"),
        describe=lambda t: {
            "lifecycle": t.lifecycle,
            "from": t.from_state,
            "to": t.to_state,
            "reason": t.reason,
            "closure_reason": t.closure_reason,
        },
        actor=lambda t: _username(t.actor),
    )
)
register(
    Source(
        kind="contact",
        time_field="occurred_at",
        rows=lambda case: ContactLogEntry.objects.filter(case=case).select_related("recorded_by"),
        describe=lambda c: {
            "channel": c.channel,
            "direction": c.direction,
            "outcome": c.outcome,
            "contact_method": str(c.contact_method_id) if c.contact_method_id else None,
            "duration_minutes": c.duration_minutes,
            "note": c.note,
            "corrects": str(c.corrects_id) if c.corrects_id else None,
        },
        actor=lambda c: _username(c.recorded_by),
    )
)
register(
    Source(
        kind="note",
        time_field="created_at",
        rows=lambda case: Note.objects.filter(case=case).select_related("author"),
        describe=lambda n: {"visibility": n.visibility, "body": n.body},
        actor=lambda n: _username(n.author),
    )
)


class InvalidCursor(ValueError):
    pass


def encode_cursor(item: TimelineItem) -> str:
    raw = json.dumps([item.occurred_at.isoformat(), item.kind, item.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, str, str]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, kind, item_id = json.loads(raw)
        return datetime.fromisoformat(at), str(kind), str(item_id)
    except (binascii.Error, ValueError, TypeError, json.JSONDecodeError):
        raise InvalidCursor("The cursor is not valid.") from None


def _after(source: Source, cursor: tuple[datetime, str, str] | None) -> Q:
    """Rows strictly after the cursor in (time desc, kind desc, id desc) order."""
    if cursor is None:
        return Q()
    at, kind, item_id = cursor
    earlier = Q(**{f"{source.time_field}__lt": at})
    if source.kind < kind:
        return earlier | Q(**{source.time_field: at})
    if source.kind > kind:
        return earlier
    return earlier | Q(**{source.time_field: at, "pk__lt": item_id})


def timeline_page(
    case: Case, *, limit: int, cursor: tuple[datetime, str, str] | None = None
) -> tuple[list[TimelineItem], bool]:
    """One page of the timeline and whether there is more after it."""
    items: list[TimelineItem] = []
    for source in SOURCES:
        rows = (
            source.rows(case)
            .filter(_after(source, cursor))
            .order_by(f"-{source.time_field}", "-pk")[: limit + 1]
        )
        items.extend(
            TimelineItem(
                kind=source.kind,
                id=str(row.pk),
                occurred_at=getattr(row, source.time_field),
                actor=source.actor(row),
                data=source.describe(row),
            )
            for row in rows
        )
    items.sort(key=lambda item: item.position, reverse=True)
    return items[:limit], len(items) > limit
