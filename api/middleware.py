"""One error shape for everything under ``/api/``, whatever produced the error.

Views answer errors through the exception handler already; this catches the rest: a path no
route matches, a method refused before a view runs, a body Django itself refuses, an exception
in a middleware, and Django's own debug pages, which must never reach an API client (they would
show settings and code)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import DATABASE_UNAVAILABLE, database_unavailable_response, error_body

API_PREFIX = "/api/"
# Headers of the original answer that still mean something on the JSON one.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "X-Request-ID")
CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "The requested response format is not offered."),
    413: ("request_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "The request body's media type is not supported."),
    429: ("throttled", "Too many requests. Try again later."),
}
SERVER_ERROR = (
    "server_error",
    "Something went wrong on our side. Quote the request id if you report it.",
)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() in (
        "application/json",
        "application/problem+json",
    )


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not _is_json(response)
        ):
            return self.reshaped(response)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """A view outside the API's exception handler (the admin, the calendar feed) that finds
        the database unreachable answers 503 with Retry-After too, not a 500 and a stack."""
        if isinstance(exc, DATABASE_UNAVAILABLE):
            return database_unavailable_response(exc)
        return None

    @staticmethod
    def reshaped(response: HttpResponse) -> JsonResponse:
        status = response.status_code
        code, message = CODES.get(status, SERVER_ERROR if status >= 500 else ("error", "Error."))
        shaped = JsonResponse(error_body(code, message), status=status)
        for header in KEPT_HEADERS:
            if header in response:
                shaped[header] = response[header]
        return shaped


class RequestLimitsMiddleware:
    """A body over ``API_MAX_BODY_BYTES`` (by its declared length; a file upload, over the
    attachment ceiling) answers 413 before anything reads it, and a query parameter given twice
    answers 400 unless the route's filters take a list there
    (``?support_status=active&support_status=paused``): which of two values a proxy or a parser
    would use is not something to leave to chance."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > _body_limit(request):
                return _refused(request, 413, "request_too_large", CODES[413][1])
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.path.startswith(API_PREFIX):
            return None
        repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
        if not repeated:
            return None
        allowed = _multi_valued(view_func)
        refused = [name for name in repeated if name not in allowed]
        if refused:
            return _refused(
                request,
                400,
                "repeated_parameter",
                f"Give each of these once: {', '.join(refused)}.",
            )
        return None


# Room for the multipart framing and the form's other fields around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def _body_limit(request: HttpRequest) -> int:
    """A file upload (multipart, which only the attachment upload accepts) may be as large as
    the attachment ceiling; every other body as ``API_MAX_BODY_BYTES``."""
    if request.content_type == "multipart/form-data":
        return max(
            settings.API_MAX_BODY_BYTES,
            settings.ATTACHMENTS_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES,
        )
    return int(settings.API_MAX_BODY_BYTES)


def _multi_valued(view_func) -> frozenset[str]:
    """The query parameters a route's filters take as a list."""
    from django_filters import filters as django_filters

    view = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    filterset = getattr(view, "filterset_class", None)
    if filterset is None:
        return frozenset()
    return frozenset(
        name
        for name, declared in filterset.base_filters.items()
        if isinstance(
            declared,
            django_filters.MultipleChoiceFilter | django_filters.BaseInFilter,
        )
    )


def _refused(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    from casework.audit.security import record_refusal

    from .refusals import _first_time

    route = getattr(getattr(request, "resolver_match", None), "route", "") or request.path_info
    address = request.META.get("REMOTE_ADDR", "unknown")
    try:
        if _first_time(f"refusal:{status}:{address}:{code}"):
            record_refusal(
                actor="anonymous",
                status=status,
                code=code,
                method=request.method or "",
                route=route[:200],
                ids={},
            )
    except Exception:  # the refusal still goes out; failing to record it is logged
        import logging

        logging.getLogger("casework.security").exception("a refusal could not be recorded")
    return JsonResponse(error_body(code, message), status=status)
