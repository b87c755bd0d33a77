"""Every setting read from the environment and every management command of the project is
documented in README.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_environment_variable_is_documented():
    names = set()
    for path in (ROOT / "casework" / "settings").rglob("*.py"):
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    assert names
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert missing == []


def test_every_management_command_is_documented():
    commands = {
        path.stem
        for path in (ROOT / "casework").rglob("management/commands/*.py")
        if not path.stem.startswith("_")
    }
    assert commands
    missing = sorted(c for c in commands if f"manage.py {c}" not in README)
    assert missing == []


def test_the_security_document_names_the_threats_the_issue_asks_for():
    text = (ROOT / "SECURITY.md").read_text()
    for heading in ("Reporting a vulnerability", "Who may see what", "Controls", "stolen"):
        assert heading in text
