"""Request limits per caller: each person by account, each integration by API key, sign-in
attempts by address. Answers 429 with Retry-After."""

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from casework.accounts import principals

if TYPE_CHECKING:  # rest_framework.views imports the default throttles; avoid the cycle
    from rest_framework.views import APIView


class _SettingsRate(SimpleRateThrottle):
    """Reads its rate when used, so a changed setting applies without a restart of the class."""

    def get_rate(self) -> str | None:
        rates: dict[str, str | None] = settings.THROTTLE_RATES
        return rates[self.scope] if self.scope is not None else None


class PersonThrottle(_SettingsRate):
    scope = "person"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        person = principals.person(request.user)
        return f"throttle:person:{person.pk}" if person else None


class IntegrationThrottle(_SettingsRate):
    scope = "integration"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        caller = principals.integration(request.user)
        return f"throttle:key:{caller.api_key.public_id}" if caller else None


class LoginThrottle(_SettingsRate):
    """Keyed on the connection's address, never on X-Forwarded-For, which the client could make up
    afresh for every attempt. Behind a proxy, the proxy must set the peer address (as the
    lockout, which keys on the same address, requires too)."""

    scope = "login"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return f"throttle:login:{request.META.get('REMOTE_ADDR', 'unknown')}"


class PasswordLinkThrottle(LoginThrottle):
    """Set-password links, per address, at the sign-in rate but counted apart from sign-ins, so
    that neither flow can use up the other's attempts."""

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return f"throttle:password-link:{request.META.get('REMOTE_ADDR', 'unknown')}"
