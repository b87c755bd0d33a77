"""The request being served (its id and the caller's address), for logs, error bodies and audit
events."""

import contextvars
import re
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

# A caller may pass its own id (a proxy's, say) if it is short and plain; anything else is replaced
# so that a header cannot inject text into the logs.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(proposed: str | None = None) -> str:
    if proposed and _ACCEPTABLE.match(proposed):
        return proposed
    return uuid.uuid4().hex


def set_request(request_id: str | None, client_ip: str | None) -> tuple:
    return _request_id.set(request_id), _client_ip.set(client_ip)


def reset_request(tokens: tuple) -> None:
    _request_id.reset(tokens[0])
    _client_ip.reset(tokens[1])


def get_request_id() -> str | None:
    return _request_id.get()


def get_client_ip() -> str | None:
    return _client_ip.get()
