"""Signing in to the console as a browser would: through the sign-in form, with the CSRF token
the form carries, and sending it with every form after."""

import re

from django.conf import settings
from django.test import Client

from ..factories import PASSWORD

SIGN_IN = "/app/sign-in/"


class Console(Client):
    """A browser on the console: CSRF checked as in production."""

    def __init__(self) -> None:
        super().__init__(enforce_csrf_checks=True)

    def csrf(self) -> str:
        if settings.CSRF_COOKIE_NAME not in self.cookies:
            self.get(SIGN_IN)
        return self.cookies[settings.CSRF_COOKIE_NAME].value

    def submit(self, path: str, data: dict | None = None, **extra):
        return self.post(path, {"csrfmiddlewaretoken": self.csrf(), **(data or {})}, **extra)


def sign_in(username: str, password: str = PASSWORD, otp: str = "") -> tuple[Console, object]:
    console = Console()
    console.get(SIGN_IN)
    response = console.submit(SIGN_IN, {"username": username, "password": password, "otp": otp})
    return console, response


def console_for(user) -> Console:
    console, response = sign_in(user.username, getattr(user, "raw_password", PASSWORD))
    assert response.status_code == 302, response.content.decode()[:2000]
    return console


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in the form"
    return match.group(1)
