"""Request limits per caller: each person by account, each integration by API key, sign-in
attempts by address. Answers 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from casework.accounts import principals


class _SettingsRate(SimpleRateThrottle):
    """Reads its rate when used, so a changed setting applies without a restart of the class."""

    def get_rate(self):
        return settings.THROTTLE_RATES[self.scope]


class PersonThrottle(_SettingsRate):
    scope = "person"

    def get_cache_key(self, request, view):
        person = principals.person(request.user)
        return f"throttle:person:{person.pk}" if person else None


class IntegrationThrottle(_SettingsRate):
    scope = "integration"

    def get_cache_key(self, request, view):
        caller = principals.integration(request.user)
        return f"throttle:key:{caller.api_key.public_id}" if caller else None


class LoginThrottle(_SettingsRate):
    """Keyed on the connection's address, never on X-Forwarded-For, which the client could make up
    afresh for every attempt. Behind a proxy, the proxy must set the peer address (as the
    lockout, which keys on the same address, requires too)."""

    scope = "login"

    def get_cache_key(self, request, view):
        return f"throttle:login:{request.META.get('REMOTE_ADDR', 'unknown')}"
