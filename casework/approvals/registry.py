"""Which handler does each kind of approved action.

The approvals mechanism knows no action itself: the area that owns one (consent overrides in
``casework.sharing``, forced erasure in ``casework.privacy``, shorter retention in
``casework.accounts``) registers a handler for its kind when the application loads, and a new
kind (an alert to publish, say) registers its own in the same way."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from casework.accounts.models import User

    from .models import Approval

# Does the approved action, inside the approval's transaction, with the approval row locked.
# Raises a domain error (and nothing is done) if the action no longer fits the records; returns
# the ids of what it made, kept on the approval.
Enact = Callable[["Approval", "User"], dict[str, Any]]


@dataclass(frozen=True)
class Handler:
    kind: str
    enact: Enact


_HANDLERS: dict[str, Handler] = {}


def register(kind: str, enact: Enact) -> None:
    existing = _HANDLERS.get(kind)
    if existing is not None and existing.enact is not enact:
        raise ImproperlyConfigured(f"Two handlers for approvals of kind {kind!r}.")
    _HANDLERS[kind] = Handler(kind, enact)


def handler_for(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"No handler registered for approvals of kind {kind!r}."
        ) from None


def registered_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)
