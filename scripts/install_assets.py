"""Installs the console's browser packages from the npm registry, each pinned to one version and
checked against the integrity hash the registry published for it (sha512), into git-ignored
folders: htmx into the console's static files, axe-core (for the accessibility tests) into var/.
Nothing is loaded from an outside host when a page is served. Run by scripts/test and
scripts/demo; uses the npm client (``npm pack``) and the registry it is configured for."""

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name, version, integrity (as the registry publishes it), {file in the package: destination}
ASSETS = [
    (
        "htmx.org",
        "2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        {"package/dist/htmx.min.js": "console/static/console/vendor/htmx.min.js"},
    ),
    (
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        {"package/axe.min.js": "var/axe-core/axe.min.js"},
    ),
]


def installed(integrity: str, files: dict[str, str]) -> bool:
    stamp = ROOT / Path(next(iter(files.values()))).parent / ".integrity"
    return (
        stamp.is_file()
        and stamp.read_text().strip() == integrity
        and all((ROOT / dest).is_file() for dest in files.values())
    )


def fetch(name: str, version: str) -> bytes:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch the console's browser packages (apt-get install npm).")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(  # our own arguments
            [npm, "pack", f"{name}@{version}", "--silent", "--pack-destination", work],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = Path(work).glob("*.tgz")
        return tarball.read_bytes()


def check(name: str, data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        sys.exit(f"{name}: the downloaded package does not match its pinned integrity hash.")


def install(name: str, version: str, integrity: str, files: dict[str, str]) -> None:
    data = fetch(name, version)
    check(name, data, integrity)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, dest in files.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                sys.exit(f"{name}: {member} is not in the package.")
            target = ROOT / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(extracted.read())
    stamp = ROOT / Path(next(iter(files.values()))).parent / ".integrity"
    stamp.write_text(integrity + "\n")


def main() -> None:
    for name, version, integrity, files in ASSETS:
        if not installed(integrity, files):
            print(f"Installing {name} {version} (checked against its integrity hash)")  # noqa: T201
            install(name, version, integrity, files)


if __name__ == "__main__":
    main()
