"""The one question the domain asks about access: which of these rows may this principal see.

The answer is ``permissions/``'s (``restrict``, the narrowing every API view starts from), but
the domain sits below ``permissions/`` and never imports it (an import-linter contract in
``pyproject.toml``). So the domain asks here, and the setting ``CASEWORK_RESTRICT`` names the
function that answers; a task that mails a reminder, or a hand-over that asks whether someone can
still see a case, then answers exactly as the API would."""

from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string

from casework.accounts.principals import Caller, Principal

M = TypeVar("M", bound=models.Model)


class Restrict(Protocol):
    def __call__(
        self, queryset: "models.QuerySet[Any]", *, principal: Caller, action: str = ...
    ) -> "models.QuerySet[Any]": ...


def _restrict() -> Restrict:
    restrict: Restrict = import_string(settings.CASEWORK_RESTRICT)
    return restrict


def visible_to(
    queryset: "models.QuerySet[M]", principal: Principal, *, action: str = "view"
) -> "models.QuerySet[M]":
    """The rows of ``queryset`` that ``principal`` may see (``action="view"``) or change
    (``"change"``), as the API would serve them."""
    return _restrict()(queryset, principal=principal, action=action)
