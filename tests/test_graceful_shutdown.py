"""gunicorn told to stop (SIGTERM, as a deploy or ``docker compose stop`` sends it) finishes the
request it is serving: a note being written when the signal arrives is answered 201 and is in
the database, once; then the server exits and takes no new connection.

The request is held at a known point (``tests.support.pause``: the note service, before it
writes) until the signal has been sent. The Celery side is in tests/tasks/test_killed_workers.py."""

import threading
import urllib.request

import pytest
from django.test import RequestFactory

from casework.accounts.services.auth import login
from casework.cases.models import Note

from .factories import PASSWORD, CaseFactory
from .support.live_server import Gunicorn, call
from .support.pause import release_path
from .tasks.test_reminder_worker import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_request_in_flight_when_gunicorn_is_told_to_stop_is_answered_and_its_write_kept(
    tmp_path, caseworker
):
    case = CaseFactory(opened_by=caseworker)
    _, token, _ = login(
        request=RequestFactory().post("/api/v1/auth/login/"),
        username=caseworker.username,
        password=PASSWORD,
    )
    marker = tmp_path / "paused"
    server = Gunicorn(
        app="tests.support.paused_wsgi:application",
        env={
            "PAUSE_AT": "casework.cases.services.contacts:note_add",
            "PAUSE_MARKER": str(marker),
        },
    )
    answers: list[tuple[int, dict]] = []
    try:
        server.start()
        url = f"{server.base}/api/v1/cases/{case.pk}/notes/"
        writer = threading.Thread(
            target=lambda: answers.append(
                call("POST", url, token=token, body={"body": "Safe to call on Tuesdays"})
            )
        )
        writer.start()
        wait_for(marker.exists, timeout=30, what="the request to reach the note service")
        assert not Note.objects.exists()

        server.terminate()
        # The master has the signal; the worker still holds the request, and finishes it.
        wait_for(lambda: _refuses(server.base), timeout=20, what="the server to stop listening")
        release_path(marker).touch()
        writer.join(timeout=30)
        assert answers and answers[0][0] == 201, answers
        assert server.process is not None
        assert server.process.wait(timeout=30) == 0
        (note,) = Note.objects.all()
        assert str(note.pk) == answers[0][1]["id"]
    finally:
        release_path(marker).touch()
        server.stop()


def _refuses(base: str) -> bool:
    try:
        urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
    except OSError:
        return True
    return False
