"""Edits as a real client makes them: read the record, send its ETag back in ``If-Match``."""

# A well-formed tag naming no record: what a caller who could not read the record might send,
# so that the answer is the edit's own refusal (404, 403), not a complaint about the header.
UNREAD = '"unread-0"'


def edit(api, url: str, data, *, read_url: str | None = None, **extra):
    """``PATCH`` ``url`` with the ETag its ``GET`` (or ``read_url``'s) answered just before."""
    read = api.get(read_url or url)
    extra.setdefault("format", "json")
    extra.setdefault("HTTP_IF_MATCH", read.get("ETag") or UNREAD)
    return api.patch(url, data, **extra)
