"""How callers prove who they are: people with knox tokens, machines with API keys.

Authentication is the fixed cost of every request, so each kind costs one query: the token with
its person, their organisation and their groups together; the API key with its organisation."""

import binascii
from hmac import compare_digest

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from casework.accounts.models import ApiKey, User
from casework.accounts.principals import Integration

from .objects import remember_group_ids

API_KEY_PREFIX = "Api-Key"


class ApiKeyRefused(exceptions.AuthenticationFailed):
    """A 401 for an API key, carrying why (for the security event, never for the caller)."""

    def __init__(self, *, reason: str, prefix: str = "", api_key: ApiKey | None = None) -> None:
        super().__init__(_("Invalid API key."))
        self.reason = reason
        self.prefix = prefix if prefix.isalnum() and len(prefix) <= 16 else ""
        self.api_key = api_key


class PersonTokenAuthentication(TokenAuthentication):  # type: ignore[misc]  # knox is untyped
    """``Authorization: Token <token>``: an expiring, revocable token from ``auth/login/``.

    Unlike knox's own, it reads the token, the person, their organisation and their groups in
    one statement, and leaves the person's other expired tokens to the periodic purge
    (``casework.accounts.tasks.purge_expired_tokens``) instead of reading them on every request:
    an expired token is refused when it is used either way."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        refused = exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            raise refused from None
        candidates = (
            AuthToken.objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user__organisation")
            .annotate(
                user_group_ids=ArraySubquery(
                    User.groups.through.objects.filter(user_id=OuterRef("user_id"))
                    .order_by()
                    .values("group_id")
                )
            )
        )
        now = timezone.now()
        for auth_token in candidates:
            if auth_token.expiry is not None and auth_token.expiry < now:
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=type(self), username=username, source="auth_token")
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise refused from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                remember_group_ids(auth_token.user, auth_token.user_group_ids)
                return self.validate_user(auth_token)
        raise refused

    def validate_user(self, auth_token: AuthToken) -> tuple[User, AuthToken]:
        user: User
        user, token = super().validate_user(auth_token)
        if user.organisation_id is None and not user.is_superuser:
            raise exceptions.AuthenticationFailed(_("This account belongs to no organisation."))
        if user.organisation is not None and not user.organisation.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return user, token


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``: a hashed key bound to one organisation and its scopes."""

    # The organisation's key record is touched at most this often, not on every call.
    LAST_USED_RESOLUTION_SECONDS = 300

    def authenticate(self, request: Request) -> tuple[Integration, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != API_KEY_PREFIX.lower().encode():
            return None
        if len(parts) != 2:
            raise ApiKeyRefused(reason="malformed")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise ApiKeyRefused(reason="malformed") from None
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
        """The key, or a refusal that says the same to the caller whatever went wrong. The
        refusal names the key's record only when the secret was right (a revoked or expired key,
        or one of a deactivated organisation), so a guessed prefix cannot put events in an
        organisation's audit trail."""
        prefix, dot, _secret = key.partition(".")
        if not dot:
            raise ApiKeyRefused(reason="malformed")
        api_key = ApiKey.objects.select_related("organisation").filter(prefix=prefix).first()
        if api_key is None:
            raise ApiKeyRefused(reason="unknown", prefix=prefix)
        if not api_key.is_valid(key):
            raise ApiKeyRefused(reason="wrong_secret", prefix=prefix)
        if api_key.revoked:
            raise ApiKeyRefused(reason="revoked", prefix=prefix, api_key=api_key)
        if api_key.has_expired:
            raise ApiKeyRefused(reason="expired", prefix=prefix, api_key=api_key)
        if not api_key.organisation.is_active:
            raise ApiKeyRefused(reason="organisation_inactive", prefix=prefix, api_key=api_key)
        return api_key

    def authenticate_header(self, request: Request) -> str:
        return API_KEY_PREFIX


# Endpoints only a person may use (account management): an API key is not even looked at there.
PERSONS_ONLY = [PersonTokenAuthentication]


def person_for_session(digest: str) -> tuple[User, AuthToken] | None:
    """The person and token behind a console session, which keeps the digest of the token its
    sign-in opened (never the token itself): ``None`` once the token has expired or was revoked
    (signing out anywhere, a password change, a supervisor's revocation), so a session lives
    exactly as long as an API token would, renewed as one is."""
    auth_token = (
        AuthToken.objects.filter(digest=digest)
        .select_related("user__organisation")
        .annotate(
            user_group_ids=ArraySubquery(
                User.groups.through.objects.filter(user_id=OuterRef("user_id"))
                .order_by()
                .values("group_id")
            )
        )
        .first()
    )
    if auth_token is None:
        return None
    authentication = PersonTokenAuthentication()
    if auth_token.expiry is not None and auth_token.expiry < timezone.now():
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=PersonTokenAuthentication, username=username, source="session")
        return None
    try:
        user, token = authentication.validate_user(auth_token)
    except exceptions.AuthenticationFailed:
        return None
    if knox_settings.AUTO_REFRESH and token.expiry:
        authentication.renew_token(token)
    remember_group_ids(user, auth_token.user_group_ids)
    return user, token
