"""ClamAV's daemon, started for a test: the real ``clamd`` on a port of its own, with the
official signature database where it could be downloaded, or with one signature of our own for
the EICAR test file (the standard harmless file every scanner flags)."""

import hashlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casework.attachments import clamav

# The EICAR test file: 68 bytes of text every virus scanner reports as a test virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
OFFICIAL_DATABASE = Path("/var/lib/clamav")
OWN_SIGNATURE = "Casework.Test.EICAR"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def official_database_present() -> bool:
    return any(OFFICIAL_DATABASE.glob("*.cvd")) or any(OFFICIAL_DATABASE.glob("*.cld"))


def own_database(directory: Path) -> Path:
    """A signature database holding only the EICAR file's hash."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.md5(EICAR).hexdigest()  # noqa: S324 (ClamAV's hash signatures are MD5)
    (directory / "casework-eicar.hdb").write_text(f"{digest}:{len(EICAR)}:{OWN_SIGNATURE}\n")
    return directory


def run_clamd(database: Path, workdir: Path, *, wait_seconds: float) -> Iterator[str]:
    binary = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if binary is None:
        pytest.skip("ClamAV's daemon (clamd) is not installed: apt-get install clamav-daemon")
    port = _free_port()
    config = workdir / "clamd.conf"
    config.write_text(
        f"DatabaseDirectory {database}\nTCPSocket {port}\nTCPAddr 127.0.0.1\nForeground yes\n"
        f"LogFile {workdir / 'clamd.log'}\nPidFile {workdir / 'clamd.pid'}\n"
    )
    process = subprocess.Popen(  # noqa: S603 (our own config file)
        [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_seconds
        while not clamav.ping(address=address, timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (
                    (workdir / "clamd.log").read_text() if (workdir / "clamd.log").exists() else ""
                )
                pytest.fail(f"clamd did not start: {log[-2000:]}")
            time.sleep(0.2)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def clamd_with_own_signature(tmp_path) -> Iterator[str]:
    yield from run_clamd(own_database(tmp_path / "db"), tmp_path, wait_seconds=60)


@pytest.fixture
def clamd_with_official_database(tmp_path) -> Iterator[str]:
    if not official_database_present():
        pytest.skip(
            "ClamAV's signature database is not on this machine (freshclam could not download "
            f"it into {OFFICIAL_DATABASE}): the scan against the official signatures cannot run"
        )
    yield from run_clamd(OFFICIAL_DATABASE, tmp_path, wait_seconds=180)
