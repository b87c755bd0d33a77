"""Attachment storage for tests: a directory of the test's own, and the files in it."""

from pathlib import Path

import pytest


@pytest.fixture
def attachment_storage(settings, tmp_path) -> Path:
    """Points the attachment storage at an empty directory of this test's own."""
    root = tmp_path / "attachment-storage"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
