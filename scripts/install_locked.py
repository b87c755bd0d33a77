"""Installs the locked packages into the running Python's environment in pip's hash-checking mode,
then the project itself, and checks that the result is consistent.

Every file pip downloads must match the sha256 that requirements.lock gives for it, or nothing is
installed. The project is installed without its dependencies (they are all in the lock) and
without build isolation, so its build backend (setuptools) is the hashed one from the lock too.

    python scripts/install_locked.py             # everything, the project editable (scripts/)
    python scripts/install_locked.py --runtime   # what the service needs, for the image
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_entries(lock: Path) -> dict[str, str]:
    """Each pin with its hash options, by normalised name."""
    entries: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", lock.read_text()):
        block = block.strip()
        if block and not block.startswith("#"):
            entries[norm(block.split("==")[0])] = block
    return entries


def runtime_names(entries: dict[str, str], workdir: Path) -> set[str]:
    """What installing the project without its extras would bring, resolved against the pins
    (only metadata is read; nothing is installed)."""
    pins = workdir / "pins.txt"
    pins.write_text("\n".join(e.split(" ")[0] for e in entries.values()) + "\n")
    report = workdir / "report.json"
    subprocess.run(
        [
            *PIP,
            "install",
            "--quiet",
            "--dry-run",
            "--ignore-installed",
            "--no-build-isolation",
            "--report",
            str(report),
            "-c",
            str(pins),
            str(ROOT),
        ],
        check=True,
    )
    names = {norm(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]}
    return (names - {"casework"}) | {"setuptools"}


def _install_hashed(requirements: Path) -> None:
    subprocess.run(
        [*PIP, "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(requirements)],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", action="store_true", help="the service's packages only")
    parser.add_argument("--lock", type=Path, default=ROOT / "requirements.lock")
    args = parser.parse_args()
    entries = locked_entries(args.lock)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # The build backend first, hashed, so that nothing below builds with an unchecked one.
        backend = workdir / "backend.lock"
        backend.write_text(entries["setuptools"] + "\n")
        _install_hashed(backend)
        if args.runtime:
            wanted = runtime_names(entries, workdir)
            entries = {name: entry for name, entry in entries.items() if name in wanted}
        selected = workdir / "selected.lock"
        selected.write_text("\n".join(entries.values()) + "\n")
        _install_hashed(selected)
    project = [str(ROOT)] if args.runtime else ["-e", str(ROOT)]
    subprocess.run(
        [*PIP, "install", "--quiet", "--no-deps", "--no-build-isolation", *project], check=True
    )
    subprocess.run([*PIP, "check"], check=True)


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as failed:  # pip has said why
        sys.exit(failed.returncode)
