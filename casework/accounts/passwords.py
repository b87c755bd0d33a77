"""A password validator that refuses the words an attacker would try first against this service:
its own words (``context_words.txt``), and the person's username, names, email and
organisation. It stands beside Django's validators (length, common passwords, likeness to the
person's attributes), which judge similarity but not containment."""

import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

WORDS_FILE = Path(__file__).with_name("context_words.txt")
SHORTEST_CONTAINED = 4
_NOT_LETTERS = re.compile(r"[^a-z0-9]+")


def _squash(text: str) -> str:
    return _NOT_LETTERS.sub("", text.casefold())


@cache
def service_words() -> tuple[str, ...]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _personal_words(user) -> list[str]:
    if user is None:
        return []
    words = [user.username, user.first_name, user.last_name, (user.email or "").split("@")[0]]
    organisation = getattr(user, "organisation", None) if user.organisation_id else None
    if organisation is not None:
        words += [organisation.name, organisation.code, *organisation.name.split()]
    return [w for w in words if w]


class ContextWordsValidator:
    """Refuses a password that contains a word of the service's context or of the person's."""

    def validate(self, password: str, user=None) -> None:
        squashed = _squash(password)
        for word in (*service_words(), *_personal_words(user)):
            needle = _squash(word)
            if not needle:
                continue
            if len(needle) >= SHORTEST_CONTAINED:
                found = needle in squashed
            else:
                parts = [p for p in _NOT_LETTERS.split(password.casefold()) if p]
                found = bool(parts) and needle in (parts[0], parts[-1])
            if found:
                raise ValidationError(
                    "This password contains a word too close to you, your organisation or "
                    f"this service ({word!r}); choose one nobody could guess from those.",
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return (
            "Your password cannot contain your username, names, email, your organisation's "
            "name or code, or a word of this service's work."
        )
