"""Request-wide middleware: a request id on every request, and no caching of API responses."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from .request_context import new_request_id, reset_request, set_request


class RequestIdMiddleware:
    """Gives every request an id, returned in ``X-Request-ID`` and carried by logs and errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]  # ours, for the views
        # REMOTE_ADDR is the peer; behind a proxy, the proxy (or gunicorn's forwarded-allow-ips)
        # must set it from a header the client cannot forge.
        tokens = set_request(request_id, request.META.get("REMOTE_ADDR"))
        try:
            response = self.get_response(request)
        finally:
            reset_request(tokens)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """API responses and console pages carry personal data; no browser or proxy may keep a copy
    of any of them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(("/api/", "/app/")):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store"
        return response
