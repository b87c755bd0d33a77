"""The JSON the API reads: one object per body, each key once, numbers that are numbers, and no
more bytes than ``API_MAX_BODY_BYTES``.

Python's own parser keeps the last of two equal keys and accepts ``NaN`` and ``Infinity``; a
proxy or another parser in front of the service may read the same body differently, so a body
that could mean two things is refused."""

import json

from django.conf import settings
from rest_framework import exceptions, parsers


class DuplicateKey(exceptions.ParseError):
    default_code = "duplicate_key"


class NotANumber(exceptions.ParseError):
    default_code = "not_a_number"


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(f"The key {key!r} appears twice in one object.")
        seen[key] = value
    return seen


def _no_constant(name: str) -> None:
    raise NotANumber(f"{name} is not a number JSON allows.")


class StrictJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except (DuplicateKey, NotANumber):
            raise
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
