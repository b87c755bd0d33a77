"""A case's timeline: everything that happened, newest first, from several tables.

Each kind of event is a *source* (a queryset over one table, read as plain rows with no model
instance per row, and how to describe a row). A page takes at most ``limit + 1`` rows from each
source past the cursor (one query per kind) and merges them, so the cost of a page does not grow
with the length of the history. The cursor is the position of the last item shown: (time, kind,
id), compared in that order."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from casework.attachments.models import Attachment
from casework.contact_requests.models import ContactRequest
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
    """``rows`` gives the table's rows of a case, read as plain rows of ``fields`` (beside the
    time and id fields); ``describe`` and ``actor`` read such a row."""

    kind: str
    time_field: str
    rows: Callable[[Case], QuerySet]
    fields: tuple[str, ...]
    describe: Callable[[dict[str, Any]], dict[str, Any]]
    actor: Callable[[dict[str, Any]], str | None]
    # A UUID column: PostgreSQL orders UUIDs as their text sorts, so the cursor's tie-break on
    # the id means the same in SQL and in Python.
    id_field: str = "pk"


SOURCES: list[Source] = []


def _text(value: object) -> str | None:
    return str(value) if value else None


def register(source: Source) -> None:
    SOURCES.append(source)


register(
    Source(
        kind="referral",
        time_field="received_at",
        rows=lambda case: Referral.objects.filter(case=case),
        fields=("source", "urgency", "status", "created_by__username", "created_by_api_key_id"),
        describe=lambda r: {"source": r["source"], "urgency": r["urgency"], "status": r["status"]},
        actor=lambda r: (
            r["created_by__username"] or ("integration" if r["created_by_api_key_id"] else None)
        ),
    )
)
register(
    Source(
        kind="transition",
        time_field="occurred_at",
        rows=lambda case: CaseTransition.objects.filter(case=case),
        fields=(
            "lifecycle",
            "from_state",
            "to_state",
            "reason",
            "closure_reason",
            "actor__username",
        ),
        describe=lambda t: {
            "lifecycle": t["lifecycle"],
            "from": t["from_state"],
            "to": t["to_state"],
            "reason": t["reason"],
            "closure_reason": t["closure_reason"],
        },
        actor=lambda t: t["actor__username"],
    )
)
register(
    Source(
        kind="contact",
        time_field="occurred_at",
        rows=lambda case: ContactLogEntry.objects.filter(case=case),
        fields=(
            "channel",
            "direction",
            "outcome",
            "contact_method_id",
            "duration_minutes",
            "note",
            "corrects_id",
            "recorded_by__username",
        ),
        describe=lambda c: {
            "channel": c["channel"],
            "direction": c["direction"],
            "outcome": c["outcome"],
            "contact_method": _text(c["contact_method_id"]),
            "duration_minutes": c["duration_minutes"],
            "note": c["note"],
            "corrects": _text(c["corrects_id"]),
        },
        actor=lambda c: c["recorded_by__username"],
    )
)
register(
    Source(
        kind="note",
        time_field="created_at",
        rows=lambda case: Note.objects.filter(case=case),
        fields=("visibility", "body", "author__username"),
        describe=lambda n: {"visibility": n["visibility"], "body": n["body"]},
        actor=lambda n: n["author__username"],
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
            .order_by(f"-{source.time_field}", f"-{source.id_field}")
            .values(source.id_field, source.time_field, *source.fields)[: limit + 1]
        )
        items.extend(
            TimelineItem(
                kind=source.kind,
                id=str(row[source.id_field]),
                occurred_at=row[source.time_field],
                actor=source.actor(row),
                data=source.describe(row),
            )
            for row in rows
        )
    items.sort(key=lambda item: item.position, reverse=True)
    return items[:limit], len(items) > limit


def _police_updates(case: Case) -> QuerySet:
    return SharedUpdate.objects.filter(shared_case__case=case, from_police=True)


register(
    Source(
        kind="police_update",
        time_field="created_at",
        rows=_police_updates,
        fields=(
            "kind",
            "body",
            "shared_case__police_force__name",
            "shared_case__share_reference",
            "author__username",
        ),
        describe=lambda u: {
            "kind": u["kind"],
            "body": u["body"],
            "police_force": u["shared_case__police_force__name"],
            "share_reference": u["shared_case__share_reference"],
        },
        actor=lambda u: u["author__username"],
    )
)


def _consents(case: Case) -> QuerySet:
    return ConsentDecision.objects.filter(case=case)


register(
    Source(
        kind="consent",
        time_field="recorded_at",
        rows=_consents,
        fields=(
            "scope",
            "granted",
            "police_force__name",
            "method",
            "review_date",
            "caused_by__public_id",
            "recorded_by__username",
            "kind",
            "override_ground",
        ),
        describe=lambda d: {
            "scope": d["scope"],
            "granted": d["granted"],
            "police_force": d["police_force__name"],
            "method": d["method"],
            "review_date": d["review_date"].isoformat() if d["review_date"] else None,
            "follows_from": _text(d["caused_by__public_id"]),
            # A decision of the client's, or an override of their consent (and on what ground).
            "decision_kind": d["kind"],
            "override_ground": d["override_ground"] or None,
        },
        actor=lambda d: d["recorded_by__username"],
        id_field="public_id",
    )
)


def _court_events(case: Case) -> QuerySet:
    return CourtEvent.objects.filter(case=case)


register(
    Source(
        kind="court_event",
        time_field="created_at",
        rows=_court_events,
        fields=(
            "hearing_type",
            "court",
            "starts_at",
            "status",
            "added_by_police",
            "created_by__username",
        ),
        describe=lambda e: {
            "hearing_type": e["hearing_type"],
            "court": e["court"],
            "starts_at": e["starts_at"].isoformat(),
            "status": e["status"],
            "added_by_police": e["added_by_police"],
        },
        actor=lambda e: e["created_by__username"],
    )
)


def _decisions(case: Case) -> QuerySet:
    return JusticeDecision.objects.filter(case=case)


register(
    Source(
        kind="decision",
        time_field="recorded_at",
        rows=_decisions,
        fields=(
            "kind",
            "decided_on",
            "client_told_on",
            "entitlement__due_on",
            "entitlement__status",
            "recorded_by__username",
        ),
        describe=lambda d: {
            "decision": d["kind"],
            "decided_on": d["decided_on"].isoformat(),
            "client_told_on": d["client_told_on"].isoformat() if d["client_told_on"] else None,
            "tell_client_by": d["entitlement__due_on"].isoformat(),
            "entitlement": d["entitlement__status"],
        },
        actor=lambda d: d["recorded_by__username"],
    )
)


def _contact_requests(case: Case) -> QuerySet:
    return ContactRequest.objects.filter(case=case)


def _contact_request_answers(case: Case) -> QuerySet:
    return ContactRequest.objects.filter(case=case, answered_at__isnull=False)


# A force's request to reach the client, when it came (its status now beside it), and the
# client's answer when it was recorded. The request's id names both.
register(
    Source(
        kind="contact_request",
        time_field="created_at",
        rows=_contact_requests,
        fields=(
            "purpose",
            "urgency",
            "status",
            "respond_by",
            "shared_case__police_force__name",
            "shared_case__share_reference",
            "requested_by__username",
        ),
        describe=lambda r: {
            "purpose": r["purpose"],
            "urgency": r["urgency"],
            "status": r["status"],
            "respond_by": r["respond_by"].isoformat(),
            "police_force": r["shared_case__police_force__name"],
            "share_reference": r["shared_case__share_reference"],
        },
        actor=lambda r: r["requested_by__username"],
    )
)
register(
    Source(
        kind="contact_request_answer",
        time_field="answered_at",
        rows=_contact_request_answers,
        fields=(
            "status",
            "route",
            "shared_case__police_force__name",
            "shared_case__share_reference",
            "answered_by__username",
        ),
        describe=lambda r: {
            "outcome": r["status"],
            "route": r["route"] or None,
            "police_force": r["shared_case__police_force__name"],
            "share_reference": r["shared_case__share_reference"],
        },
        actor=lambda r: r["answered_by__username"],
    )
)


# A file kept on the case, when it was attached (retired ones too: they are part of what
# happened, though no longer listed or served).
register(
    Source(
        kind="attachment",
        time_field="uploaded_at",
        rows=lambda case: Attachment.objects.filter(case=case),
        fields=(
            "kind",
            "description",
            "media_type",
            "size",
            "retired_at",
            "contact_log_entry_id",
            "note_id",
            "court_event_id",
            "uploaded_by__username",
        ),
        describe=lambda a: {
            "kind": a["kind"],
            "description": a["description"],
            "media_type": a["media_type"],
            "size": a["size"],
            "retired": a["retired_at"] is not None,
            "contact_log_entry": _text(a["contact_log_entry_id"]),
            "note": _text(a["note_id"]),
            "court_event": _text(a["court_event_id"]),
        },
        actor=lambda a: a["uploaded_by__username"],
    )
)
