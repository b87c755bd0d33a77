"""``UNSET``: an argument the caller did not give, told apart from ``None``, which may well be the
value to store (an incident date cleared).

Services that change some fields of a record take each field as its own typed, keyword-only
argument defaulting to ``UNSET``; ``given`` then says which the caller named, so a partial update
changes those and nothing else, and the audit event lists exactly them."""

import enum
from typing import Final


class Unset(enum.Enum):
    UNSET = "unset"

    def __bool__(self) -> bool:
        """False, as a missing value is: ``if value:`` reads the same whether it was left out or
        given empty."""
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def given(**arguments: object) -> dict[str, object]:
    """The arguments that were given (not ``UNSET``), by name, in the order passed."""
    return {name: value for name, value in arguments.items() if value is not UNSET}
