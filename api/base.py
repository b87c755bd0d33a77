"""The viewset every API resource starts from."""

from django.db import models
from rest_framework import viewsets

from permissions.querysets import restrict


class RestrictedViewSetMixin:
    """Narrows the queryset to what the caller may see before any handler touches it, so lists,
    detail views and custom actions all answer 404 for an object outside the caller's reach."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        return restrict(queryset, principal=self.request.user, action=self.action or "view")


class CaseworkViewSet(RestrictedViewSetMixin, viewsets.GenericViewSet):
    """Subclasses set ``queryset``, a ``permission_classes`` policy and, per action,
    ``serializer_classes`` (input) and ``output_serializer_class``."""

    serializer_classes: dict[str, type] = {}
    output_serializer_class: type | None = None

    def get_serializer_class(self):
        return self.serializer_classes.get(self.action) or self.output_serializer_class

    def output(self, instance, **kwargs):
        return self.output_serializer_class(
            instance, context=self.get_serializer_context(), **kwargs
        )
