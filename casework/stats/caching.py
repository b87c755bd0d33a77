"""Published figures kept in the cache, per organisation and period.

Only figures that already went through ``suppression`` are kept, under a key naming what they
are of: the kind of figures (a charity's or a force's), the organisation, the range, the
grouping, the threshold they were withheld under and ``SCHEMA_VERSION`` (raised whenever the
figures' shape or meaning changes, so an old shape is never served). One organisation's key can
never be another's.

A range that ended before today is closed: its cases were all opened and its shares all
started, so its figures change only when a client withdraws their agreement to records being
kept (or a case is anonymised); they are kept for ``STATS_CACHE_CLOSED_SECONDS``. A range that
is still open changes with every case opened, so its figures are kept only for
``STATS_CACHE_OPEN_SECONDS``. A raised threshold takes effect at once: it is part of the key, and
for a force, whose figures count the shares of charities with thresholds of their own, every
change of any organisation's threshold starts a new generation of keys.

The cache is a convenience: when Redis cannot be reached the figures are computed every time,
and the fallback is logged at most once a minute."""

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .periods import StatsRequest

logger = logging.getLogger("casework.stats")

SCHEMA_VERSION = 1
THRESHOLDS_GENERATION = "stats:thresholds"
_UNSET = object()
_last_logged = 0.0


def _unreachable(error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= 60:
        _last_logged = now
        logger.warning("statistics cache unreachable (%s); figures computed afresh", error)


def is_closed(request: StatsRequest, today: date | None = None) -> bool:
    return request.end < (today or timezone.localdate())


def lifetime(request: StatsRequest) -> int:
    if is_closed(request):
        return int(settings.STATS_CACHE_CLOSED_SECONDS)
    return int(settings.STATS_CACHE_OPEN_SECONDS)


def _thresholds_generation() -> int:
    return int(cache.get(THRESHOLDS_GENERATION) or 0)


def key(*, kind: str, organisation_id: object, request: StatsRequest, threshold: int) -> str:
    parts = [
        "stats",
        f"v{SCHEMA_VERSION}",
        kind,
        str(organisation_id),
        request.start.isoformat(),
        request.end.isoformat(),
        request.group_by,
        f"t{threshold}",
    ]
    if kind == "force":
        parts.append(f"g{_thresholds_generation()}")
    return ":".join(parts)


def cached_figures(
    *,
    kind: str,
    organisation_id: object,
    request: StatsRequest,
    threshold: int,
    compute: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The figures ``compute`` gives, from the cache when they are there and still good."""
    seconds = lifetime(request)
    if seconds <= 0:
        return compute()
    try:
        name = key(kind=kind, organisation_id=organisation_id, request=request, threshold=threshold)
        found = cache.get(name, _UNSET)
    except Exception as error:  # Redis down: compute, never fail the request
        _unreachable(error)
        return compute()
    if found is not _UNSET:
        figures: dict[str, Any] = found
        return figures
    figures = compute()
    try:
        cache.set(name, figures, timeout=seconds)
    except Exception as error:
        _unreachable(error)
    return figures


def thresholds_changed() -> None:
    """An organisation's threshold changed: no force's figures kept under the old one are
    served again."""
    try:
        if not cache.add(THRESHOLDS_GENERATION, 1, timeout=None):
            cache.incr(THRESHOLDS_GENERATION)
    except Exception as error:
        _unreachable(error)
