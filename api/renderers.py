"""JSON rendering on orjson: the same bytes DRF's ``JSONRenderer`` writes, several times faster.

orjson writes the native types (``str``, numbers, ``dict``, ``list``, ``None``) itself; every
other value (dates and times, UUIDs, decimals, lazy translations, querysets) goes to DRF's own
encoder, so each is written exactly as before. Like DRF, the output is compact, UTF-8 and
escapes U+2028 and U+2029, which JavaScript reads as line ends. A client asking for indented
output (``Accept: application/json; indent=4``) gets DRF's renderer."""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


class OrjsonRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        body = orjson.dumps(data, default=encoders.JSONEncoder().default, option=OPTIONS)
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
