"""One error shape for everything under ``/api/``, whatever produced the error.

Views answer errors through the exception handler already; this catches the rest: a path no
route matches, a method refused before a view runs, a body Django itself refuses, an exception
in a middleware, and Django's own debug pages, which must never reach an API client (they would
show settings and code)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import error_body

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

    @staticmethod
    def reshaped(response: HttpResponse) -> JsonResponse:
        status = response.status_code
        code, message = CODES.get(status, SERVER_ERROR if status >= 500 else ("error", "Error."))
        shaped = JsonResponse(error_body(code, message), status=status)
        for header in KEPT_HEADERS:
            if header in response:
                shaped[header] = response[header]
        return shaped
