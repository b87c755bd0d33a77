"""``restrict``: the one call every API queryset goes through before anything else.

Each model registers how to narrow its rows for a caller. A model nobody registered raises, so a
new endpoint fails closed instead of serving every row."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from casework.accounts.models import ApiKey, Organisation, User

from . import principals

Restrictor = Callable[[models.QuerySet, object, str], models.QuerySet]
_RESTRICTORS: dict[type[models.Model], Restrictor] = {}


def restricts(model: type[models.Model]) -> Callable[[Restrictor], Restrictor]:
    def register(fn: Restrictor) -> Restrictor:
        _RESTRICTORS[model] = fn
        return fn

    return register


def restrict(
    queryset: models.QuerySet, *, principal: object, action: str = "view"
) -> models.QuerySet:
    try:
        restrictor = _RESTRICTORS[queryset.model]
    except KeyError:
        raise ImproperlyConfigured(
            f"No restriction registered for {queryset.model.__name__}; refusing to serve it."
        ) from None
    return restrictor(queryset, principal, action)


@restricts(Organisation)
def _organisations(qs: models.QuerySet, principal: object, action: str) -> models.QuerySet:
    return qs if principals.is_superuser(principal) else qs.none()


@restricts(User)
def _staff(qs: models.QuerySet, principal: object, action: str) -> models.QuerySet:
    if principals.is_superuser(principal):
        return qs
    if principals.is_supervisor(principal):
        return qs.filter(organisation_id=principal.organisation_id)
    return qs.none()


@restricts(ApiKey)
def _api_keys(qs: models.QuerySet, principal: object, action: str) -> models.QuerySet:
    if principals.is_superuser(principal):
        return qs
    if principals.is_supervisor(principal):
        return qs.filter(organisation_id=principal.organisation_id)
    return qs.none()


def organisation_for_write(principal: object, requested: Organisation | None) -> Organisation:
    """The organisation a new member of staff or API key goes into.

    A supervisor always writes into their own organisation (naming another one is refused, so a
    foreign id cannot be smuggled in); a superuser must say which."""
    from django.core.exceptions import ValidationError

    if principals.is_superuser(principal):
        if requested is None:
            raise ValidationError({"organisation": ["Say which organisation this is for."]})
        return requested
    own = principal.organisation
    if requested is not None and requested.pk != own.pk:
        raise ValidationError({"organisation": ["You can only add to your own organisation."]})
    return own
