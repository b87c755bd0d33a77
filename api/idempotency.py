"""``Idempotency-Key`` on every ``POST`` that creates something.

``@idempotent`` wraps a create handler: without the header it runs as it is; with it, the first
response to (caller, route, key) is kept and every retry with the same body gets that response
back (with ``Idempotent-Replayed: true``), and nothing is created twice. The same key with
another body, or on another record's route, is refused with 409. A refusal is never kept: the
key is free again with nothing written."""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from casework.core.idempotency import KEY_MAX_LENGTH, NotStored, StoredResponse, run_once

HEADER = "Idempotency-Key"
# Visible ASCII only: what an HTTP header can carry unchanged through every server.
_KEY = re.compile(rf"[!-~]{{1,{KEY_MAX_LENGTH}}}")
# The headers a client reads from a create's answer, replayed with its body.
_KEPT_HEADERS = ("ETag", "Location")

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Send the same key when retrying: the first response comes back (marked "
        "Idempotent-Replayed) and nothing new is created. The same key with a different body "
        "is refused with 409. Keys are kept for a day."
    ),
    pattern=rf"^[!-~]{{1,{KEY_MAX_LENGTH}}}$",
)


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is not None and not _KEY.fullmatch(key):
        raise ValidationError(
            {HEADER: [f"Use 1 to {KEY_MAX_LENGTH} visible ASCII characters (no spaces)."]}
        )
    return key


def _body(request) -> object:
    """What a retry must repeat: the body as parsed, with an uploaded file standing as its name,
    type and a digest of its bytes (a file is never kept with the key)."""
    if not request.FILES:
        return request.data
    body: dict[str, object] = {}
    for name in request.data:
        values = (
            request.data.getlist(name) if hasattr(request.data, "getlist") else [request.data[name]]
        )
        body[name] = [
            _file_fingerprint(value) if isinstance(value, UploadedFile) else value
            for value in values
        ]
    return body


def _file_fingerprint(upload: UploadedFile) -> dict[str, object]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {
        "file": upload.name,
        "type": upload.content_type,
        "size": upload.size,
        "sha256": digest.hexdigest(),
    }


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Makes a create handler safe to retry under an ``Idempotency-Key``, and documents the
    header on it."""

    @functools.wraps(handler)
    def wrapper(view: Any, request, *args: Any, **kwargs: Any) -> Response:
        key = _key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)

        def produce() -> StoredResponse:
            response = handler(view, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                raise NotStored(response)
            # Stored as the client received it: JSON, with ids and dates as strings.
            body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
            return StoredResponse(status_code=response.status_code, body=body, headers=headers)

        try:
            stored, replayed = run_once(
                principal=str(request.user.pk),
                scope=f"{type(view).__name__}.{handler.__name__}",
                key=key,
                # The route names the record created under (a case, a client), so one key
                # sent to two of them is two requests, and the second is refused.
                payload={"path": request.path, "body": _body(request)},
                produce=produce,
            )
        except NotStored as refused:
            return refused.answer  # type: ignore[return-value]
        response = Response(stored.body, status=stored.status_code, headers=stored.headers)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    return extend_schema(parameters=[IDEMPOTENCY_KEY])(wrapper)
