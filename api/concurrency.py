"""``ETag`` and ``If-Match`` for records two people may edit at once.

An ETag is ``"<record id>-<version>"``, a strong entity tag (RFC 9110 §8.8.3). An edit
(``PATCH``) must send the ETag it read in ``If-Match``: without it the answer is 428, with one that
no longer matches 412, and in both cases nothing changes."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from casework.core.versioning import edited_at, own_row

# One entity tag, optionally weak; a list of them is comma-separated.
_TAG = re.compile(r'\s*(W/)?"([!#-~]*)"\s*')
_HEADER = "If-Match"


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = (
        "Send the record's ETag, as you last read it, in the If-Match header: "
        "edits are accepted only against the version they were made from."
    )


class StaleVersion(APIException):
    status_code = 412
    default_code = "stale_version"
    default_detail = "The record changed since you read it; reload it and try again."


def etag(record_id: object, version: int) -> str:
    return f'"{record_id}-{version}"'


def record_etag(record: models.Model) -> str:
    return etag(record.pk, record.version)  # type: ignore[attr-defined]


def _refuse(message: str) -> ValidationError:
    return ValidationError({_HEADER: [message]})


def _tags(header: str) -> list[tuple[bool, str]]:
    """The entity tags of an ``If-Match`` value as (weak, opaque tag) pairs, or a 400."""
    tags = []
    for candidate in header.split(","):
        match = _TAG.fullmatch(candidate)
        if match is None:
            raise _refuse("Not an entity tag: send the ETag exactly as read, quotes included.")
        tags.append((bool(match.group(1)), match.group(2)))
    return tags


def optional_version(request, record_id: object) -> int | None:
    """As ``required_version``, for an action that may also be sent without ``If-Match``."""
    if request.headers.get(_HEADER) is None:
        return None
    return required_version(request, record_id)


def required_version(request, record_id: object) -> int:
    """The version of the record ``record_id`` the caller last read, from ``If-Match``.

    Absent: 428. Malformed, ``*`` (which says nothing about what was read) or weak (an edit needs
    the exact version, which only a strong tag names): 400. Naming another record: 412."""
    header = request.headers.get(_HEADER)
    if header is None or not header.strip():
        raise PreconditionRequired()
    if header.strip() == "*":
        raise _refuse("Send the ETag you read: '*' cannot tell whether the record has changed.")
    tags = _tags(header)
    if any(weak for weak, _ in tags):
        raise _refuse("Send the strong ETag as read (without W/): an edit needs the exact version.")
    for _, tag in tags:
        named, _, version = tag.rpartition("-")
        if named == str(record_id) and version.isdigit():
            return int(version)
    raise StaleVersion()


@contextmanager
def if_match(
    request,
    record: models.Model,
    *,
    record_id: object = None,
    rows: "models.QuerySet[Any] | None" = None,
    what: str = "record",
) -> Iterator[None]:
    """Holds the edit inside it to the version in ``If-Match``: 428, 400 or 412 before anything
    is written, and the row locked until the edit commits.

    ``rows`` selects the record to lock (by default ``record`` itself); ``record_id`` is the
    identity its ETag names (by default its primary key)."""
    expected = required_version(request, record.pk if record_id is None else record_id)
    if rows is None:
        rows = own_row(record)
    with edited_at(expected, rows=rows, what=what):
        yield


def with_etag(response: Response, tag: str) -> Response:
    response["ETag"] = tag
    return response


# Documented on every PATCH and PUT by the schema hook (``api/schema.py``).
IF_MATCH_SCHEMA = {
    "in": "header",
    "name": _HEADER,
    "required": True,
    "schema": {"type": "string", "pattern": r'^"[!#-~]{1,200}"$'},
    "description": (
        "The record's ETag as last read (a strong entity tag). Without it the edit is refused "
        "with 428, with a stale one 412; in both cases nothing changes."
    ),
}
ETAG_HEADER_SCHEMA = {
    "schema": {"type": "string"},
    "description": "The record's version as an entity tag: send it back in If-Match to edit.",
}


# A detail view whose answer carries the record's ETag, for the edit that follows. (A comment,
# not a docstring: the schema would take a mixin's docstring for every operation's description.)
class ETagRetrieveMixin:
    def retrieve(self, request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()  # type: ignore[attr-defined]
        data = self.get_serializer(record).data  # type: ignore[attr-defined]
        return with_etag(Response(data), record_etag(record))
