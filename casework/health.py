"""Liveness and readiness for load balancers and orchestrators, and the status of every
dependency for operators.

Readiness asks only what the API needs to answer: PostgreSQL. A process whose cache or broker
is down still serves (the throttle then keeps its limits per process; nothing a request writes
waits on a task), so a load balancer must not take it out of rotation for either; the status
page names them."""

import ipaddress
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe
from kombu import Connection

from casework.core.heartbeats import last_seen


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        return False


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; it checks nothing else."""
    return JsonResponse({"status": "ok"})


def _internal(request: HttpRequest) -> bool:
    """The caller is on a network named in ``READYZ_DETAIL_NETWORKS`` (by default this host
    only: the container's own health check, an orchestrator's probe beside it)."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network) for network in settings.READYZ_DETAIL_NETWORKS
    )


def _cache_ok() -> bool:
    try:
        cache.set("health:probe", "1", timeout=10)
        return bool(cache.get("health:probe") == "1")
    except Exception:
        return False


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to take traffic: PostgreSQL answers (all the API needs to serve). Which part fails
    is told to internal callers only; anyone else learns the status alone."""
    checks = {"database": _database_ok()}
    failing = sorted(name for name, ok in checks.items() if not ok)
    body: dict[str, object] = {"status": "ok" if not failing else "unavailable"}
    if _internal(request):
        body["checks"] = {name: "ok" if ok else "failing" for name, ok in checks.items()}
        if failing:
            body["failing"] = failing
    return JsonResponse(body, status=200 if not failing else 503)


@require_safe
def status(request: HttpRequest) -> JsonResponse:
    """For operators, from the networks in ``READYZ_DETAIL_NETWORKS`` only (anyone else: 404):
    each dependency by name (database, cache, broker) and the parts outside the API: the workers
    seen in the last minutes and when beat last ran. ``status`` is ``ok`` when all are, else
    ``degraded``; the answer is 200 either way, since the page itself works."""
    if not _internal(request):
        raise Http404
    checks: dict[str, Any] = {
        name: "ok" if ok else "failing"
        for name, ok in (
            ("database", _database_ok()),
            ("cache", _cache_ok()),
            ("broker", _broker_ok()),
        )
    }
    if checks["database"] == "ok":
        checks.update(last_seen())
    else:
        checks.update({"workers": {"status": "unknown"}, "beat": {"status": "unknown"}})
    states = [c if isinstance(c, str) else c["status"] for c in checks.values()]
    overall = "ok" if all(state == "ok" for state in states) else "degraded"
    return JsonResponse({"status": overall, "checks": checks})
