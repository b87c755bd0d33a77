"""Liveness and readiness for load balancers and orchestrators."""

import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe
from kombu import Connection


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


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to take traffic: PostgreSQL answers and the Celery broker accepts connections.
    Which part fails is told to internal callers only; anyone else learns the status alone."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = sorted(name for name, ok in checks.items() if not ok)
    body: dict[str, object] = {"status": "ok" if not failing else "unavailable"}
    if _internal(request):
        body["checks"] = {name: "ok" if ok else "failing" for name, ok in checks.items()}
        if failing:
            body["failing"] = failing
    return JsonResponse(body, status=200 if not failing else 503)
