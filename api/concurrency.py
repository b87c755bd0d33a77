"""``ETag`` and ``If-Match`` for records two people may edit at once."""

from rest_framework.exceptions import APIException


class StaleVersion(APIException):
    status_code = 412
    default_code = "stale_version"
    default_detail = "The record changed since you read it; reload it and try again."


def expected_version(request, obj) -> int | None:
    """The version the caller last saw, from ``If-Match``; ``None`` when the header is absent
    (the update is then accepted as it stands) or is ``*``.

    An ETag is ``"<id>-<version>"``; one naming another record or not parseable is stale."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for candidate in header.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        record_id, _, version = tag.rpartition("-")
        if record_id == str(obj.pk) and version.isdigit():
            return int(version)
    raise StaleVersion()
