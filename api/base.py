"""The viewset every API resource starts from."""

import uuid
from typing import Any

from django.db import models
from django.http import Http404
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from casework.accounts.models import User
from casework.accounts.principals import Integration, Principal
from casework.sharing import selectors as sharing_selectors
from casework.sharing.models import SharedCase
from permissions.querysets import CHANGE, VIEW

from .audited import AuditedReadsMixin


def principal_of(request: Request) -> Principal:
    """The caller of a request a policy let through: a person or an integration. Every policy
    but the public ones refuses anyone not signed in, so a handler never meets anyone else."""
    user = request.user
    if not isinstance(user, User | Integration):
        raise NotAuthenticated()
    return user


def restrict_action(request: Request) -> str:
    """What a request does to the rows it names: a read (``GET``, ``HEAD``, ``OPTIONS``) views
    them, anything else changes them, whatever the handler is called."""
    return VIEW if request.method in permissions.SAFE_METHODS else CHANGE


class RestrictedViewSetMixin(viewsets.GenericViewSet):
    """Serves the rows a selector gives for the caller and the request's action, so lists, detail
    views and custom actions all answer 404 for an object outside the caller's reach.

    Subclasses implement ``rows``, calling a selector (which starts from ``restrict()``); the
    class attribute ``queryset`` is an empty queryset that only names the model for the schema."""

    def rows(self, *, principal: Any, action: str) -> "models.QuerySet[Any]":
        raise NotImplementedError(f"{type(self).__name__} names no selector.")

    def get_queryset(self) -> "models.QuerySet[Any]":
        return self.rows(principal=self.request.user, action=restrict_action(self.request))


class CaseworkViewSet(AuditedReadsMixin, RestrictedViewSetMixin):
    """Subclasses set ``queryset``, a ``permission_classes`` policy and, per action,
    ``serializer_classes`` (input) and ``output_serializer_class``; those serving personal data
    set ``read_audit`` so their list and detail reads are audited."""

    serializer_classes: dict[str, type] = {}
    output_serializer_class: type | None = None

    def get_serializer_class(self):
        return self.serializer_classes.get(self.action) or self.output_serializer_class

    def output(self, instance, **kwargs):
        return self.output_serializer_class(
            instance, context=self.get_serializer_context(), **kwargs
        )


def visible_or_404(visible: "models.QuerySet[Any]", pk, **filters):
    """The object with this id among ``visible`` (a selector's rows for the caller), or a 404 (a
    malformed id too)."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404 from None
    found = visible.filter(pk=pk, **filters).first()
    if found is None:
        raise Http404
    return found


class ShareChildMixin(viewsets.GenericViewSet):
    """A route under ``shared-cases/{shared_case_id}/``: the share as the caller may see it
    (through the sharing selector), or 404."""

    def get_share(self) -> SharedCase:
        if not hasattr(self, "_share"):
            visible = sharing_selectors.shares(
                principal=principal_of(self.request), action=restrict_action(self.request)
            )
            self._share = visible_or_404(visible, self.kwargs["shared_case_id"])
        return self._share
