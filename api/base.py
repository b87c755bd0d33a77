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
from permissions.querysets import CHANGE, VIEW, restrict

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
    """Narrows the queryset to what the caller may see (or, for a write, change) before any
    handler touches it, so lists, detail views and custom actions all answer 404 for an object
    outside the caller's reach."""

    def get_queryset(self) -> "models.QuerySet[Any]":
        queryset = super().get_queryset()
        return restrict(queryset, principal=self.request.user, action=restrict_action(self.request))


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


def visible_or_404(model, request, pk, *, queryset=None, **filters):
    """The object with this id among those the caller may see, or a 404 (a malformed id too).
    ``queryset`` (of ``model``) says what to load with it."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        raise Http404 from None
    base = model.objects.all() if queryset is None else queryset
    found = restrict(base, principal=request.user).filter(pk=pk, **filters).first()
    if found is None:
        raise Http404
    return found
