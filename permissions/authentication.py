"""How callers prove who they are: people with knox tokens, machines with API keys."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from casework.accounts.models import ApiKey

from .principals import Integration

API_KEY_PREFIX = "Api-Key"


class PersonTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <token>``: an expiring, revocable token from ``auth/login/``."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if user.organisation_id is None and not user.is_superuser:
            raise exceptions.AuthenticationFailed(_("This account belongs to no organisation."))
        return user, token


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: a hashed key bound to one organisation and its scopes."""

    # The organisation's key record is touched at most this often, not on every call.
    LAST_USED_RESOLUTION_SECONDS = 300

    def authenticate(self, request: Request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != API_KEY_PREFIX.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        api_key = self._valid_key(key)
        now = timezone.now()
        if (
            api_key.last_used_at is None
            or (now - api_key.last_used_at).total_seconds() > self.LAST_USED_RESOLUTION_SECONDS
        ):
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return Integration(api_key=api_key, scopes=frozenset(api_key.scopes)), api_key

    @staticmethod
    def _valid_key(key: str) -> ApiKey:
        prefix, dot, _secret = key.partition(".")
        if not dot:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        api_key = (
            ApiKey.objects.select_related("organisation")
            .filter(prefix=prefix, revoked=False)
            .first()
        )
        if api_key is None or not api_key.is_valid(key) or api_key.has_expired:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        return api_key

    def authenticate_header(self, request: Request) -> str:
        return API_KEY_PREFIX


# Endpoints only a person may use (account management): an API key is not even looked at there.
PERSONS_ONLY = [PersonTokenAuthentication]
