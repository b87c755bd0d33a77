"""Never the reporter: an alert may not carry anything of the person who reported.

The client's decrypted name, pseudonym, contact values and address (every contact method, the
retired ones included: an old number still identifies) are compared on the server with the
alert's text and identifiers, ignoring case and whitespace, and with their normalised forms: a
phone number written in the text in any format is read and compared in E.164, an email in lower
case. A refusal names the field and never repeats what it found there."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from casework.clients.choices import PHONE_KINDS, ContactKind
from casework.clients.models import Client, ContactMethod
from casework.clients.normalise import normalise_phone

from .choices import IdentifierKind
from .identifiers import normalise_identifier

REFUSAL = (
    "This carries something that identifies the person who reported (their name, pseudonym, "
    "contact details or address): take it out."
)
# Runs of digits that may be a phone number, however spaced or punctuated.
PHONE_LIKE = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
# A part of an address too general to identify anyone ("Leeds") is not searched for alone.
MIN_PART = 4
# A name shorter than this is looked for as a whole word rather than anywhere.
SHORT = 4


def _squash(text: str) -> str:
    """Case- and whitespace-insensitive form: case folded, every space removed."""
    return re.sub(r"\s+", "", text).casefold()


@dataclass
class ReporterValues:
    """What identifies the client, in forms the alert is compared in."""

    texts: set[str] = field(default_factory=set)  # squashed, found anywhere
    words: set[str] = field(default_factory=set)  # too short for that: found as whole words
    phones: set[str] = field(default_factory=set)  # E.164
    identifiers: set[tuple[str, str]] = field(default_factory=set)  # (kind, normalised)

    def add_text(self, value: str | None, *, minimum: int = SHORT) -> None:
        squashed = _squash(value or "")
        if len(squashed) >= minimum:
            self.texts.add(squashed)
        elif squashed and minimum == SHORT:
            # A short name ("Jo") is searched for as a word, not inside "enjoyed".
            self.words.add(" ".join((value or "").split()).casefold())


def _address_parts(address: str) -> Iterable[str]:
    """The whole address, and each line of it that says more than a town does: one with a number
    in it (a house, a postcode) or of several words (a street), and the street without its
    house number."""
    yield address
    for part in re.split(r"[,\n;]", address):
        part = part.strip()
        if len(part) >= MIN_PART and (re.search(r"\d", part) or len(part.split()) > 1):
            yield part
        street = re.sub(r"^(flat\s+)?\d+[a-z]?\s+", "", part, flags=re.IGNORECASE)
        if street != part and len(street.split()) > 1:
            yield street  # the street without the house number


def reporter_values(client: Client) -> ReporterValues:
    found = ReporterValues()
    found.add_text(client.pseudonym)
    found.add_text(client.legal_name)
    methods: Iterable[ContactMethod] = ContactMethod.objects.filter(client=client)
    for method in methods:
        value = method.value or ""
        found.add_text(method.third_party_name)
        if method.kind in PHONE_KINDS:
            found.add_text(value, minimum=6)
            try:
                phone = normalise_phone(value)
            except ValidationError:
                continue
            found.phones.add(phone)
            found.texts.add(_squash(phone))
            found.texts.add(_squash(phone.removeprefix("+")))
            found.identifiers.add((IdentifierKind.PHONE, phone))
        elif method.kind == ContactKind.EMAIL:
            found.add_text(value)
            found.identifiers.add((IdentifierKind.EMAIL, value.strip().lower()))
            local = value.partition("@")[0]
            found.add_text(local, minimum=4)
        elif method.kind == ContactKind.POSTAL_ADDRESS:
            for part in _address_parts(value):
                found.add_text(part, minimum=MIN_PART)
        else:
            found.add_text(value, minimum=MIN_PART)
    return found


def _phones_in(text: str) -> set[str]:
    phones = set()
    for match in PHONE_LIKE.finditer(text):
        try:
            phones.add(normalise_phone(match.group()))
        except ValidationError:
            continue
    return phones


def text_identifies(text: str, values: ReporterValues) -> bool:
    if not text:
        return False
    squashed = _squash(text)
    if any(value in squashed for value in values.texts):
        return True
    spaced = " ".join(text.split()).casefold()
    if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", spaced) for word in values.words):
        return True
    return bool(_phones_in(text) & values.phones)


def check_not_the_reporter(
    client: Client,
    *,
    texts: Mapping[str, str],
    identifiers: Iterable[tuple[str, str]] = (),
) -> None:
    """Raises a ``ValidationError`` naming each field that carries something of the client.
    ``identifiers`` are (kind, normalised value) pairs."""
    values = reporter_values(client)
    errors: dict[str, list[str]] = {}
    for name, text in texts.items():
        if text_identifies(text, values):
            errors[name] = [REFUSAL]
    for kind, value in identifiers:
        same = (kind, value) in values.identifiers
        if same or text_identifies(value, values):
            errors["identifiers"] = [REFUSAL]
            break
    if errors:
        raise ValidationError(errors)


def normalised_pairs(identifiers: Iterable[Mapping[str, str]]) -> list[tuple[str, str]]:
    """(kind, normalised value) of identifiers as given, or a ``ValidationError`` on
    ``identifiers`` naming which one could not be read (by position, never by value)."""
    pairs = []
    for position, given in enumerate(identifiers):
        try:
            pairs.append((given["kind"], normalise_identifier(given["kind"], given["value"])))
        except ValidationError as error:
            raise ValidationError(
                {"identifiers": [f"Identifier {position + 1}: {error.messages[0]}"]}
            ) from None
    return pairs
