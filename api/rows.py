"""Lists served from plain rows (a selector's ``values()``), with no model instance per row and
no walk over a serializer's fields: the most used lists spent most of their Python time there
(docs/benchmarks.md). Each list writes its rows out in exactly the form its declared output
serializer gives (tests compare the two), so the schema stays the one truth about the shape.

The cursor pagination works on rows as on instances: it reads the ordering field from each."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple

from django.utils import timezone
from rest_framework.response import Response

Row = dict[str, Any]


class AuditRef(NamedTuple):
    """What the audit of a read needs of a row: its id, and its case and client where known."""

    pk: Any
    case_id: Any = None
    client_id: Any = None


def moment(value: datetime | None) -> str | None:
    """A date and time as the API writes every one (as DRF's ``DateTimeField`` does): in the
    service's zone, ISO 8601, with UTC written ``Z``. Written out here because DRF's field spends
    more time settling the zone than writing the text, once for every moment of every row."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def text(value: Any) -> str | None:
    """An id (or anything else) as text, ``None`` kept."""
    return str(value) if value is not None else None


# For a viewset whose ``list`` serves rows: ``list_rows`` gives the selector's rows for the
# caller and ``render_row`` (a static method) writes one out; the audit of the read names each
# row by ``audit_ref`` (``api.audited``). Filters and the cursor apply to the rows as they did to
# the queryset. (Comments, not a docstring: the schema would take a docstring as the description
# of every list that uses the mixin.)
class RowListMixin:
    render_row: Callable[[Row], Row]

    def list_rows(self, *, principal: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} names no rows.")

    def list(self, request, *args, **kwargs) -> Response:
        view: Any = self
        rows = view.filter_queryset(self.list_rows(principal=request.user))
        page = view.paginate_queryset(rows)
        return view.get_paginated_response([self.render_row(row) for row in page])
