"""A minimal SMTP server that accepts every message and keeps it, for a test to count."""

import socket
import socketserver
import threading


class _Session(socketserver.StreamRequestHandler):
    def _say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 sink ESMTP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._say("250-sink")
                self._say("250 8BITMIME")
            elif command.startswith(("MAIL FROM", "RCPT TO", "RSET", "NOOP")):
                self._say("250 OK")
            elif command == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.messages.append(b"".join(lines).decode(errors="replace"))
                self._say("250 OK queued")
            elif command == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    """``with SmtpSink(port) as sink:`` serves SMTP on 127.0.0.1:port; ``sink.messages`` holds
    each message received (headers and body)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server: _Server | None = None
        self.messages: list[str] = []

    def start(self) -> "SmtpSink":
        self.server = _Server(("127.0.0.1", self.port), _Session)
        self.server.messages = self.messages
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
