"""The one error shape for every 4xx and 5xx response:

    {"code": "validation_error", "message": "...", "fields": {"role": ["..."]}, "request_id": "..."}

``fields`` appears only for validation errors. A 500 says nothing about its cause; the cause is
logged with the request id, which the caller can quote.
"""

import logging
import sys
import time

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from casework.core.errors import DomainError
from casework.request_context import get_request_id

logger = logging.getLogger("casework.api")

MESSAGES = {
    "validation_error": "Some of the data sent is not valid.",
    "server_error": "Something went wrong on our side. Quote the request id if you report it.",
    "service_unavailable": "The service cannot reach its database just now. Try again shortly.",
}

# While PostgreSQL is unreachable (a restart, a failover) every request answers 503 with this
# Retry-After, and the outage is logged in one line at most this often, not with a stack each.
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_LOG_SECONDS = 30
_database_logged = [0.0]
# What the database driver raises when the server cannot be reached or drops the connection.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(exc: BaseException) -> dict:
    """Notes the outage (one line, at most every ``DATABASE_LOG_SECONDS``) and gives the body
    of the 503 that answers it."""
    now = time.monotonic()
    if now - _database_logged[0] >= DATABASE_LOG_SECONDS:
        _database_logged[0] = now
        logger.warning("database unavailable, answering 503: %s", str(exc).splitlines()[0][:200])
    return error_body("service_unavailable", MESSAGES["service_unavailable"])


def database_unavailable_response(exc: BaseException) -> JsonResponse:
    response = JsonResponse(database_unavailable(exc), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # type: ignore[attr-defined]  # see _logged_once
    return response


def _logged_once(response: Response) -> Response:
    """Django logs every 5xx response as an error; the outage is logged once above instead, so
    a restart of PostgreSQL does not write a line for each request it turned away."""
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own marker
    return response


def error_body(code: str, message: str, fields: object | None = None) -> dict:
    body: dict = {"code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    body["request_id"] = get_request_id()
    return body


def _message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, list | tuple) and detail:
        detail = detail[0]
    if isinstance(detail, dict):
        return MESSAGES["validation_error"]
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response:
    response = _respond(exc)
    request, view = context.get("request"), context.get("view")
    if request is not None and 400 <= response.status_code < 500:
        from .refusals import note_refusal

        try:
            note_refusal(request, view, exc, response.status_code, response.data.get("code", ""))
        except Exception:
            # The refusal still goes out; the failure to record it is itself logged loudly.
            logger.exception("a refused request could not be recorded as a security event")
    return response


def _respond(exc: Exception) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DataError):
        # A value the database cannot hold (a date past its range, an offset it does not know):
        # the client's input, refused before anything was written.
        logger.warning("data error turned into a bad request", exc_info=exc)
        return Response(
            error_body("invalid_value", "A value sent is outside the range that can be stored."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, DATABASE_UNAVAILABLE):
        return _logged_once(
            Response(
                database_unavailable(exc),
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            )
        )
    elif isinstance(exc, IntegrityError):
        # A race the service layer's checks could not see (two requests creating the same thing):
        # the database refused it and nothing was written.
        logger.warning("integrity error turned into a conflict", exc_info=exc)
        return Response(
            error_body("conflict", "This conflicts with data saved at the same moment; try again."),
            status=status.HTTP_409_CONFLICT,
        )

    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message), status=exc.status_code)

    if not isinstance(exc, exceptions.APIException):
        logger.error("unhandled error", exc_info=exc)
        return Response(
            error_body("server_error", MESSAGES["server_error"]),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = error_body("validation_error", MESSAGES["validation_error"], fields)
    else:
        # A refusal may name its own code (the two-factor gate does); otherwise the exception's.
        code = getattr(exc.detail, "code", None) or exc.default_code
        body = error_body(code, _message(exc))
    return Response(body, status=exc.status_code, headers=headers)


def _json(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json("bad_request", "The request could not be understood.", 400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json("permission_denied", "You do not have permission to do this.", 403)


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json("not_found", "Not found.", 404)


def handler500(request: HttpRequest) -> JsonResponse:
    failure = sys.exc_info()[1]
    if isinstance(failure, DATABASE_UNAVAILABLE):
        return database_unavailable_response(failure)
    return _json("server_error", MESSAGES["server_error"], 500)
