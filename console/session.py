"""Signing in to the console and the session that follows.

Sign-in is the API's own (``casework.accounts.services.auth.login``): the same accounts, the same
one-time code, the same lockout and the same audit events. It opens an API token, and the session
keeps only that token's digest: every page checks the token (``permissions.authentication``), so
a console session idles out, reaches its absolute lifetime and is revoked exactly as a token is.
Django's own session login is not used: a console session is nothing but its token."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from knox.crypto import hash_token
from knox.models import AuthToken

from casework.accounts.models import User
from casework.accounts.services import auth
from permissions.authentication import person_for_session

TOKEN_DIGEST = "console_token_digest"  # noqa: S105  # a session key's name


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: AuthToken


def sign_in(request: HttpRequest, *, username: str, password: str, otp: str) -> User:
    """Checks the credentials as the API does (raising its refusals) and starts a new session:
    a new session key and a new CSRF token, so nothing from before the sign-in carries over."""
    user, token, _expiry = auth.login(
        request=request, username=username, password=password, otp=otp
    )
    request.session.cycle_key()
    request.session[TOKEN_DIGEST] = hash_token(token)
    rotate_token(request)
    return user


def current(request: HttpRequest) -> SignedIn | None:
    digest = request.session.get(TOKEN_DIGEST)
    if not isinstance(digest, str):
        return None
    found = person_for_session(digest)
    if found is None:
        request.session.flush()
        return None
    return SignedIn(*found)


def sign_out(request: HttpRequest, signed_in: SignedIn | None) -> None:
    """Ends the token (audited as the API's sign-out is) and the session with it."""
    if signed_in is not None:
        auth.logout(token=signed_in.token)
    request.session.flush()
