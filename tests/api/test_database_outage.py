"""PostgreSQL going away and coming back, for real: the service runs under a WSGI server in a
thread of this process (as under gunicorn: Django's request signals close a connection that
failed), and its database connections go through a TCP relay the test can cut. While the
database is unreachable every request answers a JSON 503 with Retry-After in the one error
shape, logged as one line rather than a stack per request; when the database returns, the same
process serves again without a restart."""

import contextlib
import logging
import socket
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection

from ..conftest import client_for
from ..factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Relay:
    """Forwards a local port to PostgreSQL; ``cut`` drops every connection and stops listening,
    ``restore`` listens on the same port again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            doomed, self._sockets = self._sockets, []
            if self._listener is not None:
                doomed.append(self._listener)
                self._listener = None
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return
            far = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def through_relay(caseworker):
    """A client of the service served in a thread, signed in as the caseworker, with every
    database connection opened from now on going through the relay."""
    token = client_for(caseworker)._credentials["HTTP_AUTHORIZATION"]
    case = CaseFactory(opened_by=caseworker)
    settings_dict = connection.settings_dict  # shared by the connections of every thread
    upstream = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    relay = Relay(upstream)
    relay.restore()
    original = settings_dict["HOST"], settings_dict["PORT"]
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", relay.port
    server: WSGIServer = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = httpx.Client(
        base_url=f"http://127.0.0.1:{server.server_port}",
        headers={"Authorization": token},
        timeout=20,
    )
    try:
        yield api, relay, case
    finally:
        api.close()
        server.shutdown()
        server.server_close()
        relay.cut()
        settings_dict["HOST"], settings_dict["PORT"] = original
        connection.close()


def test_an_outage_answers_503_with_retry_after_and_the_service_recovers_by_itself(
    through_relay, caplog
):
    api, relay, case = through_relay
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200

    relay.cut()
    with caplog.at_level(logging.WARNING):
        answers = [api.get(path) for path in ("/api/v1/me/", "/api/v1/cases/", "/api/v1/me/")]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "5"
        body = answer.json()
        assert body["code"] == "service_unavailable"
        assert set(body) == {"code", "message", "request_id"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert len([r for r in caplog.records if "database unavailable" in r.getMessage()]) <= 1

    relay.restore()
    again = api.get(f"/api/v1/cases/{case.pk}/")
    assert again.status_code == 200
    assert again.json()["id"] == str(case.pk)
    assert again.status_code == 200


def test_a_write_during_the_outage_answers_503_and_leaves_nothing_behind(through_relay):
    api, relay, case = through_relay
    relay.cut()
    note = {"body": "Rang.", "visibility": "internal"}
    refused = api.post(f"/api/v1/cases/{case.pk}/notes/", json=note)
    assert refused.status_code == 503
    relay.restore()
    assert api.get(f"/api/v1/cases/{case.pk}/notes/").json()["results"] == []
    made = api.post(f"/api/v1/cases/{case.pk}/notes/", json=note)
    assert made.status_code == 201, made.text
