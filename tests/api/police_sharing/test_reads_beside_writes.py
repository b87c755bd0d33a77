"""A police read of a share writes as it reads (a disclosure and audit events in the charity's
chain), and the disclosure points at the case, so it needs a key share on the case's row. Taken
only when it commits, that key share came after the read had taken the audit chain's lock, and a
service holding the case FOR UPDATE while it waited for the audit lock made the two wait on each
other: PostgreSQL failed the read with a 503. Now the read takes the key share first, as every
service takes the case first; and services lock rows FOR NO KEY UPDATE, which a key share gets
past, except where a lock must wait for one (a closure or an anonymisation, for a message being
handed over to the client)."""

import ast
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from casework.cases.models import ContactLogEntry
from casework.cases.services import cases as case_services
from casework.cases.services import contacts
from casework.disclosures.models import Disclosure

from ...conftest import client_for
from ...factories import CourtEventFactory, SharedCaseFactory
from .world import detail, open_case


def _hold(monkeypatch, module, name):
    """Wraps ``module.name`` so the thread calling it first stops just after it returns, until
    released: ``(holding, release)`` events."""
    holding, release = threading.Event(), threading.Event()
    original = getattr(module, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if not holding.is_set():
            holding.set()
            release.wait(30)
        return result

    monkeypatch.setattr(module, name, held)
    return holding, release


def _in_thread(outcome: dict, key: str, work) -> threading.Thread:
    def run():
        try:
            outcome[key] = work()
        except Exception as error:  # reported below, not swallowed
            outcome[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _read_while_held(outcome: dict, holding, release, writer, read, *, seconds: float) -> bool:
    """Starts ``read`` once the writer holds its lock and gives it ``seconds``, then lets the
    writer go on: whether the read had finished while the lock was held. Both threads have
    ended when it returns."""
    reader = None
    try:
        assert holding.wait(10), outcome
        reader = _in_thread(outcome, "read", read)
        reader.join(seconds)
        return not reader.is_alive()
    finally:
        release.set()
        writer.join(30)
        if reader is not None:
            reader.join(30)


@pytest.fixture
def share(caseworker, police_force):
    share = SharedCaseFactory(case=open_case(caseworker), police_force=police_force)
    # Something new for the force to see: its next read is kept as a new disclosure.
    CourtEventFactory(case=share.case)
    return share


@pytest.mark.django_db(transaction=True)
def test_a_police_read_completes_while_a_contact_is_logged(
    share, caseworker, police_liaison, monkeypatch
):
    as_police = client_for(police_liaison)
    disclosed = Disclosure.objects.filter(case=share.case).count()
    # The contact log's service names the route just after it has locked the case.
    holding, release = _hold(monkeypatch, contacts, "_clients_method")
    outcome: dict[str, object] = {}

    def log_a_contact():
        contacts.contact_log(
            case=share.case,
            recorded_by=caseworker,
            occurred_at=timezone.now() - timedelta(minutes=1),
            channel="phone_call",
            direction="outbound",
            outcome="reached",
        )
        return True

    writer = _in_thread(outcome, "logged", log_a_contact)
    finished = _read_while_held(
        outcome,
        holding,
        release,
        writer,
        lambda: as_police.get(detail(share)).status_code,
        seconds=10,
    )
    assert finished, "the police read waited for the service's lock"
    assert (outcome["read"], outcome["logged"]) == (200, True), outcome
    assert ContactLogEntry.objects.filter(case=share.case, outcome="reached").count() == 2
    assert Disclosure.objects.filter(case=share.case).count() == disclosed + 1


@pytest.mark.django_db(transaction=True)
def test_a_police_read_waits_for_a_case_update_and_both_succeed(
    share, caseworker, police_liaison, monkeypatch
):
    """A change of the case holds it FOR UPDATE (a closure must wait for a message's hand-over);
    the read waits for it, holding nothing the change needs, and both go through."""
    as_police = client_for(police_liaison)
    holding, release = _hold(monkeypatch, case_services, "_lock")
    outcome: dict[str, object] = {}

    def change_the_area():
        case_services.case_update(case=share.case, updated_by=caseworker, area="Harehills")
        return True

    writer = _in_thread(outcome, "updated", change_the_area)
    _read_while_held(
        outcome,
        holding,
        release,
        writer,
        lambda: as_police.get(detail(share)).status_code,
        seconds=1,
    )
    assert (outcome["updated"], outcome["read"]) == (True, 200), outcome


# Row locks that must wait for a key share, and why.
FULL_LOCKS = {
    ("casework/cases/services/cases.py", "_lock"): "a closure waits for a message's hand-over",
    ("casework/privacy/anonymise.py", "anonymise_case"): "so does an anonymisation",
}


def _locks_without_no_key(path: Path) -> list[str]:
    """The functions in ``path`` that lock rows without ``no_key=True``."""
    found = []
    for function in ast.walk(ast.parse(path.read_text())):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "select_for_update"
                and not any(
                    k.arg == "no_key" and isinstance(k.value, ast.Constant) and k.value.value
                    for k in node.keywords
                )
            ):
                found.append(function.name)
    return found


def test_every_row_lock_of_the_service_lets_key_shares_through_but_the_few_that_must_not():
    root = Path(settings.BASE_DIR)
    found = {
        (str(path.relative_to(root)), name)
        for package in ("casework", "api", "console", "permissions")
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
        for name in _locks_without_no_key(path)
    }
    assert found == set(FULL_LOCKS)
