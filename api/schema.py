"""Schema extensions: the two authentication schemes, the one error shape documented on
every operation, and ``If-Match`` / ``ETag`` on every edit."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .concurrency import ETAG_HEADER_SCHEMA, IF_MATCH_SCHEMA

ERROR_SCHEMA = {
    "type": "object",
    "description": "The shape of every 4xx and 5xx response.",
    "properties": {
        "code": {"type": "string", "description": "Machine-readable error code."},
        "message": {"type": "string", "description": "A human-readable message."},
        "fields": {
            "type": "object",
            "description": "Validation errors only: messages per field (nested for nested input).",
            "additionalProperties": {},
        },
        "request_id": {
            "type": "string",
            "nullable": True,
            "description": "The request id, also in the X-Request-ID header.",
        },
    },
    "required": ["code", "message", "request_id"],
}

_REF = {"$ref": "#/components/schemas/Error"}

ERROR_RESPONSES = {
    "ValidationError": "Invalid input, with messages per field.",
    "Unauthenticated": "Not signed in, or the credentials expired or were revoked.",
    "Forbidden": "Signed in, but not allowed to do this.",
    "NotFound": "Not found, or not visible to you (the two are indistinguishable).",
    "PreconditionFailed": "The If-Match sent no longer matches: the record changed since it was "
    "read. Nothing was changed.",
    "PreconditionRequired": "An edit must send the record's ETag in If-Match. Nothing was changed.",
    "ClientError": "Any other client error.",
    "ServerError": "Server error; no detail is disclosed beyond the request id.",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def add_error_responses(result: dict, generator, request, public) -> dict:
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["responses"] = {
        name: {"description": text, "content": {"application/json": {"schema": _REF}}}
        for name, text in ERROR_RESPONSES.items()
    }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation or operation.get("parameters"):
                responses.setdefault("400", _ref("ValidationError"))
            security = operation.get("security") or []
            if security and {} not in security:
                responses.setdefault("401", _ref("Unauthenticated"))
                responses.setdefault("403", _ref("Forbidden"))
            if "{" in path:
                responses.setdefault("404", _ref("NotFound"))
            responses.setdefault("4XX", _ref("ClientError"))
            responses.setdefault("5XX", _ref("ServerError"))
    return result


EDITS = ("patch", "put")


def add_conditional_edits(result: dict, generator, request, public) -> dict:
    """Every edit requires ``If-Match`` (428 without it, 412 when stale); the answers of a record
    that can be edited, read or edit, carry its ``ETag``."""
    for operations in result.get("paths", {}).values():
        if not any(method in operations for method in EDITS):
            continue
        for method, operation in operations.items():
            if method in EDITS:
                parameters = [
                    p for p in operation.get("parameters", []) if p.get("name") != "If-Match"
                ]
                operation["parameters"] = [*parameters, dict(IF_MATCH_SCHEMA)]
                responses = operation.setdefault("responses", {})
                responses["412"] = _ref("PreconditionFailed")
                responses["428"] = _ref("PreconditionRequired")
            if method in (*EDITS, "get"):
                answer = operation.get("responses", {}).get("200")
                if answer is not None and "$ref" not in answer:
                    answer.setdefault("headers", {})["ETag"] = dict(ETAG_HEADER_SCHEMA)
    return result


class PersonTokenScheme(OpenApiAuthenticationExtension):
    target_class = "permissions.authentication.PersonTokenAuthentication"
    name = "PersonToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` from `POST /api/v1/auth/login/`; expires when idle.",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "permissions.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` for integrations: one organisation, fixed scopes.",
        }
