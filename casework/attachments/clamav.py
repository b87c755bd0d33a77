"""A small client for ClamAV's daemon (clamd) over TCP: the INSTREAM command, the file sent in
length-prefixed chunks and a zero-length chunk to end it, and one line back ("stream: OK", or
"stream: <signature> FOUND", or an error)."""

import socket
import struct
from dataclasses import dataclass

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def _address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def _answer(sock: socket.socket) -> str:
    received = b""
    while not received.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        received += part
    return received.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(data: bytes, *, address: str, timeout: float) -> Verdict:
    """What clamd at ``address`` says of ``data``. Raises ``ScannerUnavailable`` when it cannot
    say (unreachable, timed out, an error such as the stream being over its size limit): the
    caller refuses the file, since an unscanned file is not a clean one."""
    try:
        with socket.create_connection(_address(address), timeout=timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                sock.sendall(struct.pack("!I", len(chunk)) + chunk)
            sock.sendall(struct.pack("!I", 0))
            answer = _answer(sock)
    except (OSError, ValueError) as error:
        raise ScannerUnavailable(f"The virus scanner could not be reached: {error}") from None
    if answer.endswith("OK"):
        return Verdict(clean=True)
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        return Verdict(clean=False, signature=signature[:200])
    raise ScannerUnavailable(f"The virus scanner answered: {answer[:200] or 'nothing'}")


def ping(*, address: str, timeout: float) -> bool:
    try:
        with socket.create_connection(_address(address), timeout=timeout) as sock:
            sock.sendall(b"zPING\0")
            return _answer(sock) == "PONG"
    except (OSError, ValueError):
        return False
