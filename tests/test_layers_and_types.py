"""The architecture is held by tools, not by memory: import-linter keeps the layers (the domain
below permissions/, both below api/ and the console, which stand side by side), and mypy checks
types, strictly on permissions/ and every services and selectors module. Each check passes on
the code and fails on a planted violation, so a configuration that stopped checking anything
would fail here too."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("casework", "api", "console", "permissions")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# A service module and a module outside the strict set, to plant untyped code in.
STRICT_MODULE = ROOT / "casework" / "cases" / "services" / "references.py"
LENIENT_MODULE = ROOT / "casework" / "demo" / "seed.py"
UNTYPED = "\n\ndef untyped(value):\n    return value\n"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
    )


def mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True
    )


def copy_of_the_project(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(module: Path, line: str) -> None:
    module.write_text(module.read_text() + line)


def test_the_layer_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_a_domain_module_importing_the_api_breaks_the_layers(tmp_path):
    copy = copy_of_the_project(tmp_path)
    plant(copy / "casework" / "cases" / "services" / "cases.py", "\nimport api.base  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "casework.cases.services.cases -> api.base" in result.stdout


def test_a_domain_module_importing_permissions_breaks_the_layers(tmp_path):
    """Even inside a function body, where an import once hid the cycle between the two."""
    copy = copy_of_the_project(tmp_path)
    plant(
        copy / "casework" / "reminders" / "services.py",
        "\n\ndef hidden():\n    from permissions.objects import cases_visible_to  # noqa\n",
    )
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "casework.reminders.services -> permissions.objects" in result.stdout


def test_permissions_importing_the_api_breaks_the_layers(tmp_path):
    copy = copy_of_the_project(tmp_path)
    plant(copy / "permissions" / "rules.py", "\nimport api.errors  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "permissions.rules -> api.errors" in result.stdout


def test_the_console_importing_the_api_breaks_the_layers(tmp_path):
    """The console and the API are two channels over the same rules; neither leans on the
    other's code."""
    copy = copy_of_the_project(tmp_path)
    plant(copy / "console" / "pages.py", "\nimport api.base  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "console.pages -> api.base" in result.stdout


def test_a_domain_module_importing_the_console_breaks_the_layers(tmp_path):
    copy = copy_of_the_project(tmp_path)
    plant(copy / "casework" / "cases" / "services" / "cases.py", "\nimport console.pages  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "casework.cases.services.cases -> console.pages" in result.stdout


def test_the_types_check():
    result = mypy()
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_untyped_function_in_a_service_module_fails_the_type_check(tmp_path):
    shadow = tmp_path / STRICT_MODULE.name
    shadow.write_text(STRICT_MODULE.read_text() + UNTYPED)
    result = mypy("--shadow-file", str(STRICT_MODULE), str(shadow))
    assert result.returncode != 0
    assert "references.py" in result.stdout
    assert "Function is missing a type annotation" in result.stdout


def test_a_wrongly_typed_call_of_a_service_fails_the_type_check(tmp_path):
    """A service's acting principal is a person or an integration, not any object."""
    shadow = tmp_path / STRICT_MODULE.name
    shadow.write_text(
        STRICT_MODULE.read_text()
        + "\n\ndef close_as_nobody(case: object) -> None:\n"
        + "    from casework.cases.services.cases import case_update\n"
        + "    from casework.cases.models import Case\n"
        + "    if isinstance(case, Case):\n"
        + '        case_update(case=case, updated_by="nobody")\n'
    )
    result = mypy("--shadow-file", str(STRICT_MODULE), str(shadow))
    assert result.returncode != 0
    assert 'Argument "updated_by" to "case_update" has incompatible type "str"' in result.stdout


def test_outside_the_strict_modules_the_check_is_lenient_to_start(tmp_path):
    shadow = tmp_path / LENIENT_MODULE.name
    shadow.write_text(LENIENT_MODULE.read_text() + UNTYPED)
    result = mypy("--shadow-file", str(LENIENT_MODULE), str(shadow))
    assert result.returncode == 0, result.stdout + result.stderr
