"""Enumerations for organisations, roles and integration scopes, and which roles fit which kind of
organisation. Kept free of model imports so that ``permissions/`` can use them too."""

from django.db import models


class OrganisationKind(models.TextChoices):
    CHARITY = "charity", "Charity"
    POLICE = "police", "Police force"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    ISVA = "isva", "ISVA"
    SUPERVISOR = "supervisor", "Supervisor"
    POLICE_LIAISON = "police_liaison", "Police liaison"


ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.CHARITY: frozenset({Role.CASEWORKER, Role.ISVA, Role.SUPERVISOR}),
    OrganisationKind.POLICE: frozenset({Role.POLICE_LIAISON}),
}


class Scope(models.TextChoices):
    """What an integration's API key may do. Values are the strings integrators configure."""

    REFERRALS_WRITE = "referrals:write", "Create referrals"
    SHARED_CASES_READ = "shared-cases:read", "Read cases shared with the key's police force"
    ALERTS_READ = "alerts:read", "Read the charity's published alerts"
    CHECKER_QUERY = "checker:query", "Check a number or email against published alerts"


SCOPES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.CHARITY: frozenset(
        {Scope.REFERRALS_WRITE, Scope.ALERTS_READ, Scope.CHECKER_QUERY}
    ),
    OrganisationKind.POLICE: frozenset({Scope.SHARED_CASES_READ}),
}


def role_fits(kind: str, role: str) -> bool:
    return role in ROLES_BY_KIND.get(kind, frozenset())
