"""A case's timeline: everything that happened, newest first, from several tables.

Each kind of event is a *source* (a queryset over one table and how to describe a row). A page
takes at most ``limit + 1`` rows from each source past the cursor (one query per kind) and merges
them, so the cost of a page does not grow with the length of the history. The cursor is the
position of the last item shown: (time, kind, id), compared in that order."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from casework.court.models import CourtEvent, JusticeDecision
from casework.sharing.models import ConsentDecision, SharedUpdate

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
    describe: Callable[[Any], dict[str, Any]]
    actor: Callable[[Any], str | None]
    # A UUID column: PostgreSQL orders UUIDs as their text sorts, so the cursor's tie-break on
    # the id means the same in SQL and in Python.
    id_field: str = "pk"


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
    """Every item id is a UUID and every time carries its zone; anything else is refused."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, kind, item_id = json.loads(raw)
        moment = datetime.fromisoformat(at)
        item_id = str(uuid.UUID(str(item_id)))
    except (binascii.Error, ValueError, TypeError, AttributeError, json.JSONDecodeError):
        raise InvalidCursor("The cursor is not valid.") from None
    if moment.tzinfo is None or kind not in {source.kind for source in SOURCES}:
        raise InvalidCursor("The cursor is not valid.")
    return moment, str(kind), item_id


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
    return earlier | Q(**{source.time_field: at, f"{source.id_field}__lt": item_id})


def timeline_page(
    case: Case, *, limit: int, cursor: tuple[datetime, str, str] | None = None
) -> tuple[list[TimelineItem], bool]:
    """One page of the timeline and whether there is more after it."""
    items: list[TimelineItem] = []
    for source in SOURCES:
        rows = (
            source.rows(case)
            .filter(_after(source, cursor))
            .order_by(f"-{source.time_field}", f"-{source.id_field}")[: limit + 1]
        )
        items.extend(
            TimelineItem(
                kind=source.kind,
                id=str(getattr(row, source.id_field)),
                occurred_at=getattr(row, source.time_field),
                actor=source.actor(row),
                data=source.describe(row),
            )
            for row in rows
        )
    items.sort(key=lambda item: item.position, reverse=True)
    return items[:limit], len(items) > limit


def _police_updates(case: Case) -> QuerySet:
    return SharedUpdate.objects.filter(shared_case__case=case, from_police=True).select_related(
        "author", "shared_case__police_force"
    )


register(
    Source(
        kind="police_update",
        time_field="created_at",
        rows=_police_updates,
        describe=lambda u: {
            "kind": u.kind,
            "body": u.body,
            "police_force": u.shared_case.police_force.name,
            "share_reference": u.shared_case.share_reference,
        },
        actor=lambda u: _username(u.author),
    )
)


def _consents(case: Case) -> QuerySet:
    return ConsentDecision.objects.filter(case=case).select_related(
        "recorded_by", "police_force", "caused_by"
    )


register(
    Source(
        kind="consent",
        time_field="recorded_at",
        rows=_consents,
        describe=lambda d: {
            "scope": d.scope,
            "granted": d.granted,
            "police_force": d.police_force.name if d.police_force_id else None,
            "method": d.method,
            "review_date": d.review_date.isoformat() if d.review_date else None,
            "follows_from": str(d.caused_by.public_id) if d.caused_by_id else None,
        },
        actor=lambda d: _username(d.recorded_by),
        id_field="public_id",
    )
)


def _court_events(case: Case) -> QuerySet:
    return CourtEvent.objects.filter(case=case).select_related("created_by")


register(
    Source(
        kind="court_event",
        time_field="created_at",
        rows=_court_events,
        describe=lambda e: {
            "hearing_type": e.hearing_type,
            "court": e.court,
            "starts_at": e.starts_at.isoformat(),
            "status": e.status,
            "added_by_police": e.added_by_police,
        },
        actor=lambda e: _username(e.created_by),
    )
)


def _decisions(case: Case) -> QuerySet:
    return JusticeDecision.objects.filter(case=case).select_related("recorded_by", "entitlement")


register(
    Source(
        kind="decision",
        time_field="recorded_at",
        rows=_decisions,
        describe=lambda d: {
            "decision": d.kind,
            "decided_on": d.decided_on.isoformat(),
            "client_told_on": d.client_told_on.isoformat() if d.client_told_on else None,
            "tell_client_by": d.entitlement.due_on.isoformat(),
            "entitlement": d.entitlement.status,
        },
        actor=lambda d: _username(d.recorded_by),
    )
)
