"""Reads shown by a console page are audited as the API audits the same reads: one event per
kind of record a page showed, with the API's action names (``casework.audit.reads``)."""

from collections.abc import Iterable, Sequence
from typing import Any

from casework.accounts.models import User
from casework.audit.reads import record_read


def read(
    user: User,
    action: str,
    records: Sequence[Any],
    *,
    case_ids: Iterable[Any] = (),
    client_ids: Iterable[Any] = (),
    target: Any = None,
) -> None:
    cases = list(dict.fromkeys(case_ids))
    clients = set(client_ids)
    record_read(
        actor=user,
        action=action,
        records=list(records),
        target=target,
        case_id=cases[0] if len(cases) == 1 else None,
        case_ids=cases,
        client_id=clients.pop() if len(clients) == 1 else None,
        detail={"channel": "console"},
    )
