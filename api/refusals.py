"""Turning refused requests into security events (ASVS 16.3.2, 16.3.3): every 401, 403, 429, a
404 on a route that names a record, and an illegal lifecycle move.

Refusals of callers nobody knows (no or bad credentials) and throttled requests are recorded at
most once a minute per address and kind, so a flood cannot flood the audit trail; when the
cache that counts them is unreachable they are recorded every time rather than never."""

import logging

from django.core.cache import cache
from rest_framework.request import Request

from casework.accounts import principals
from casework.accounts.principals import Principal
from casework.audit.security import record_refusal
from casework.sharing.owners import share_owner
from permissions.authentication import ApiKeyRefused

logger = logging.getLogger("casework.security")

FLOOD_WINDOW_SECONDS = 60
# Refused lifecycle moves worth a security event (an attempt to get round the rules).
SECURITY_CONFLICTS = frozenset({"illegal_transition"})
SHARE_KWARGS = ("shared_case_id",)
# Malformed input that is worth a security event: a body or a query a proxy and the service
# could read differently (request smuggling, parameter pollution), not an ordinary mistake.
AMBIGUOUS_INPUT = frozenset({"duplicate_key", "not_a_number", "repeated_parameter"})


def _caller(request: Request) -> Principal | None:
    """The authenticated principal, without authenticating again (which may be what failed)."""
    user = request.__dict__.get("_user")
    return principals.person(user) or principals.integration(user)


def _first_time(key: str) -> bool:
    try:
        return bool(cache.add(key, 1, timeout=FLOOD_WINDOW_SECONDS))
    except Exception:  # an unreachable cache must not silence the record
        logger.warning("refusal flood control unavailable; recording every refusal")
        return True


def _share_id(view, kwargs: dict) -> str | None:
    for name in SHARE_KWARGS:
        if name in kwargs:
            return kwargs[name]
    if getattr(view, "basename", None) == "shared-case" and "pk" in kwargs:
        return kwargs["pk"]
    return None


def note_refusal(request: Request, view, exc: Exception, status: int, code: str) -> None:
    """Records the refusal answered with ``status``, if it is one worth recording."""
    kwargs = {k: str(v)[:64] for k, v in (getattr(view, "kwargs", None) or {}).items()}
    if status == 404 and not kwargs:
        return
    if status == 409 and code not in SECURITY_CONFLICTS:
        return
    if status == 400 and code not in AMBIGUOUS_INPUT:
        return
    if status not in (400, 401, 403, 404, 409, 413, 429):
        return
    caller = _caller(request)
    address = request.META.get("REMOTE_ADDR", "unknown")
    flood_key = ":".join(
        [
            "refusal",
            str(status),
            address,
            str(getattr(caller, "pk", "anonymous")),
            type(exc).__name__,
            getattr(exc, "prefix", ""),
        ]
    )
    if (caller is None or status in (400, 413, 429)) and not _first_time(flood_key):
        return
    match = getattr(request, "resolver_match", None)
    organisation, case_id, detail = None, None, dict[str, object]()
    if isinstance(exc, ApiKeyRefused):
        detail = {"api_key_prefix": exc.prefix, "reason": exc.reason}
        if exc.api_key is not None:
            organisation = exc.api_key.organisation
    elif caller is not None and status == 404:
        share_id = _share_id(view, kwargs)
        owner = share_owner(share_id, asked_by=caller) if share_id else None
        if owner is not None:
            organisation, case_id = owner.organisation, owner.case_id
            detail = {"share": owner.reference, "share_active": owner.active}
    record_refusal(
        actor=caller or "anonymous",
        status=status,
        code=code,
        method=request.method or "",
        route=match.route if match else "",
        ids=kwargs,
        organisation=organisation,
        case_id=case_id,
        detail=detail,
    )
