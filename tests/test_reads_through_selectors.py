"""``api/`` and the console (``console/``) read through selectors only: no view, serializer, form
or helper there touches a model's manager (``Model.objects``, ``_default_manager``), so every read
starts from ``restrict()``.

A viewset may still name its model for the schema with ``Model.objects.none()``, which reads
nothing."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def manager_reads(source: str) -> list[int]:
    """Line numbers where ``source`` reaches a model manager for anything but ``.none()``."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "none"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in MANAGERS
        ):
            allowed.add(id(node.value))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS and id(node) not in allowed
    )


@pytest.mark.parametrize("package", ["api", "console"])
def test_the_channels_read_no_model_manager(package):
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := manager_reads(path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize(
    "source",
    [
        "Case.objects.filter(pk=1)",
        "Note.objects.all()",
        "model._default_manager.get(pk=1)",
        "getattr(Case, 'x') or Case.objects",
        "queryset = Case.objects.select_related('client').none()",
    ],
)
def test_a_manager_read_is_found(source):
    assert manager_reads(source) == [1]


def test_naming_the_model_for_the_schema_is_not_a_read():
    assert manager_reads("queryset = Case.objects.none()") == []
