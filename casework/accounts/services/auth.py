"""Signing in and out with expiring tokens."""

from datetime import datetime

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from knox.models import AuthToken
from knox.settings import knox_settings

from ..models import User

INVALID_CREDENTIALS = "Unable to sign in with those credentials."


def login(*, request: HttpRequest, username: str, password: str) -> tuple[User, str, datetime]:
    """Checks the credentials and returns the person, a new token and its expiry.

    Unknown username, wrong password and inactive account give the same message, so the answer
    does not tell which usernames exist.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        raise ValidationError({"non_field_errors": [INVALID_CREDENTIALS]}, code="invalid_login")
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None:
        # The oldest sessions make room for the new one rather than locking the person out.
        stale = (
            AuthToken.objects.filter(user=user)
            .order_by("-created")
            .values_list("digest", flat=True)[limit - 1 :]
        )
        AuthToken.objects.filter(digest__in=list(stale)).delete()
    instance, token = AuthToken.objects.create(user=user)
    return user, token, instance.expiry


def logout(*, token: AuthToken) -> None:
    token.delete()
