"""A webhook receiver on a local port, in a thread of the test: it checks every delivery's
signature with the ``standardwebhooks`` library, as a real receiver would, and keeps what it
verified. ``mode`` says how it answers: ``ok`` (204), ``error`` (500), ``gone`` (410),
``garbage`` (bytes that are not HTTP), ``hang`` (holds the request until released), ``busy``
(429 with ``Retry-After: 120``), ``redirect`` (302 to itself)."""

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        receiver.attempts += 1
        mode = receiver.mode
        if mode == "hang":
            receiver.hanging.set()
            receiver.release.wait(timeout=120)
            return
        if mode == "garbage":
            self.wfile.write(b"\x00\xffnot http at all\r\n\r\n")
            return
        if mode == "busy":
            self.send_response(429)
            self.send_header("retry-after", "120")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        if mode == "redirect":
            self.send_response(302)
            self.send_header("location", receiver.url)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        if mode in ("error", "gone"):
            self.send_response(500 if mode == "error" else 410)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            payload = Webhook(receiver.secret).verify(body, headers)
        except WebhookVerificationError:
            receiver.unverified += 1
            self.send_response(401)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        receiver.keep(headers, payload)
        self.send_response(204)
        self.end_headers()


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    receiver: "Receiver"


class Receiver:
    def __init__(self, secret: str = "", mode: str = "ok", port: int = 0) -> None:
        self.secret = secret
        self.mode = mode
        self.attempts = 0
        self.unverified = 0
        self.received: list[dict] = []  # verified bodies, with their webhook-id
        self.signatures: list[str] = []
        self.hanging = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.receiver = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def keep(self, headers: dict, payload: dict) -> None:
        with self._lock:
            self.received.append({"webhook_id": headers["webhook-id"], **payload})
            self.signatures.append(headers["webhook-signature"])

    def types(self) -> list[str]:
        return [body["type"] for body in self.received]

    def ids(self) -> Counter:
        return Counter(body["webhook_id"] for body in self.received)

    def distinct(self) -> list[dict]:
        """The deliveries as a receiver deduplicating by ``webhook-id`` keeps them."""
        seen: dict[str, dict] = {}
        for body in self.received:
            seen.setdefault(body["webhook_id"], body)
        return list(seen.values())

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
