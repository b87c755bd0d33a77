"""A police read of a share writes as it reads (a disclosure and audit events in the charity's
chain), and those rows point at the case, so committing them needs a key-share lock on the
case's row. A service holding the case's row while it writes must therefore lock it in a way a
key share gets past (``FOR NO KEY UPDATE``): a full ``FOR UPDATE`` made the two wait on each
other, the read holding the chain's lock and the service waiting for it, and PostgreSQL broke
the deadlock by failing the read with a 503."""

import ast
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casework.cases.models import ContactLogEntry
from casework.cases.services import contacts
from casework.disclosures.models import Disclosure

from ...conftest import client_for
from ...factories import CourtEventFactory, SharedCaseFactory
from .world import detail, open_case


@pytest.mark.django_db(transaction=True)
def test_a_police_read_completes_while_a_service_holds_the_case(
    caseworker, police_force, police_liaison, monkeypatch
):
    share = SharedCaseFactory(case=open_case(caseworker), police_force=police_force)
    as_police = client_for(police_liaison)
    # Something new for the force to see: the read records it as a disclosure of the case.
    CourtEventFactory(case=share.case)
    disclosed = Disclosure.objects.filter(case=share.case).count()
    holding, release = threading.Event(), threading.Event()
    original = contacts._clients_method

    def hold_the_case(case, ref):
        # Called by the contact log's service just after it locked the case's row.
        holding.set()
        release.wait(30)
        return original(case, ref)

    monkeypatch.setattr(contacts, "_clients_method", hold_the_case)
    outcome: dict[str, object] = {}

    def log_a_contact():
        try:
            with transaction.atomic():
                contacts.contact_log(
                    case=share.case,
                    recorded_by=caseworker,
                    occurred_at=timezone.now() - timedelta(minutes=1),
                    channel="phone_call",
                    direction="outbound",
                    outcome="reached",
                )
            outcome["logged"] = True
        except Exception as error:  # reported below, not swallowed
            outcome["logged"] = error
        finally:
            connection.close()

    def read_the_share():
        try:
            outcome["read"] = as_police.get(detail(share)).status_code
        except Exception as error:  # reported below, not swallowed
            outcome["read"] = error
        finally:
            connection.close()

    writer = threading.Thread(target=log_a_contact)
    writer.start()
    try:
        assert holding.wait(10), outcome
        reader = threading.Thread(target=read_the_share)
        reader.start()
        reader.join(10)
        # The read finished while the service still held the case.
        assert not reader.is_alive(), "the police read waited for the service's lock"
        assert outcome["read"] == 200, outcome
    finally:
        release.set()
        writer.join(30)
    assert outcome["logged"] is True, outcome
    assert Disclosure.objects.filter(case=share.case).count() == disclosed + 1
    assert ContactLogEntry.objects.filter(case=share.case, outcome="reached").count() == 2


def _locks_without_no_key(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
            and not any(
                k.arg == "no_key" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
        ):
            lines.append(node.lineno)
    return lines


def test_every_row_lock_of_the_service_lets_key_shares_through():
    root = Path(settings.BASE_DIR)
    found = {
        str(path.relative_to(root)): lines
        for package in ("casework", "api", "console", "permissions")
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts and (lines := _locks_without_no_key(path))
    }
    assert found == {}
