"""Who is acting: a person (a ``User``) or an integration (another system, with an API key).

``Principal`` is the caller of a request, and what every service's acting argument is typed as;
``Actor`` adds the system's own jobs (a nightly sweep, a management command), which act under a
name of their own. The predicates say what a principal is (charity staff, a supervisor, a police
liaison); what each may do is decided in ``permissions/``."""

import uuid
from dataclasses import dataclass, field
from typing import TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db import models

from .choices import OrganisationKind, Role
from .models import ApiKey, Organisation, User


class PrincipalKind(models.TextChoices):
    PERSON = "person", "A signed-in member of staff"
    INTEGRATION = "integration", "Another system, with an API key"


@dataclass(frozen=True, eq=False)
class Integration:
    """``request.user`` for a call made with an API key: acts for the key's organisation, within
    its scopes, and never holds a role or an object permission of a person."""

    api_key: ApiKey
    scopes: frozenset[str] = field(default_factory=frozenset)

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    role = None

    @property
    def organisation(self) -> Organisation:
        return self.api_key.organisation

    @property
    def organisation_id(self) -> uuid.UUID:
        return self.api_key.organisation_id

    @property
    def pk(self) -> str:
        return f"api-key:{self.api_key.public_id}"

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix} ({self.api_key.name})"


Principal: TypeAlias = User | Integration
"""A caller: a signed-in person or an integration."""

Actor: TypeAlias = Principal | str
"""Who an audited change is by: a caller, or the name of a system job (``"consent-review"``)."""

Caller: TypeAlias = Principal | AnonymousUser
"""Whoever ``request.user`` is: a principal, or nobody signed in."""


def person(principal: Caller | None) -> User | None:
    """The signed-in person behind a principal, or ``None`` for anonymous and integrations."""
    if isinstance(principal, User) and principal.is_active:
        return principal
    return None


def integration(principal: Caller | None) -> Integration | None:
    return principal if isinstance(principal, Integration) else None


def role_of(principal: Caller | None) -> str | None:
    user = person(principal)
    if user is None or user.organisation_id is None:
        return None
    return user.role


def _kind_of(user: User) -> str | None:
    return user.organisation.kind if user.organisation is not None else None


def is_charity_staff(principal: Caller | None) -> TypeGuard[User]:
    """An active member of a charity's staff: a caseworker, an ISVA or a supervisor."""
    user = person(principal)
    return bool(
        user
        and _kind_of(user) == OrganisationKind.CHARITY
        and user.role in (Role.CASEWORKER, Role.ISVA, Role.SUPERVISOR)
    )


def is_supervisor(principal: Caller | None) -> TypeGuard[User]:
    return is_charity_staff(principal) and role_of(principal) == Role.SUPERVISOR


def is_police_liaison(principal: Caller | None) -> TypeGuard[User]:
    """An active police liaison of a force."""
    user = person(principal)
    return bool(
        user and _kind_of(user) == OrganisationKind.POLICE and user.role == Role.POLICE_LIAISON
    )


def is_superuser(principal: Caller | None) -> TypeGuard[User]:
    user = person(principal)
    return bool(user and user.is_superuser)
