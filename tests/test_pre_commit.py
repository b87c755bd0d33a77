"""The pre-commit configuration stays honest: pre-commit itself accepts it, it runs ruff (check
and format), the import contracts and mypy from the project's virtual environment, and the
README tells a contributor how to install it."""

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".pre-commit-config.yaml"


def hooks() -> dict[str, dict]:
    config = yaml.safe_load(CONFIG.read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_pre_commit_accepts_the_configuration():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hooks_run_ruff_the_import_contracts_and_mypy():
    commands = {hook_id: hook["entry"].split() for hook_id, hook in hooks().items()}
    assert commands["ruff-check"][:2] == [".venv/bin/ruff", "check"]
    assert commands["ruff-format"][:2] == [".venv/bin/ruff", "format"]
    assert commands["import-contracts"][0] == ".venv/bin/lint-imports"
    assert commands["mypy"][0] == ".venv/bin/mypy"


def test_every_hook_runs_a_locked_tool_from_the_virtual_environment():
    """Nothing is fetched when the hooks run, and a commit is checked by the versions CI uses."""
    config = yaml.safe_load(CONFIG.read_text())
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    for hook in hooks().values():
        assert hook["language"] == "system", hook["id"]
        assert hook["entry"].startswith(".venv/bin/"), hook["id"]


def test_the_whole_project_hooks_do_not_run_file_by_file():
    for hook_id in ("import-contracts", "mypy"):
        assert hooks()[hook_id]["pass_filenames"] is False


def test_pre_commit_is_a_locked_development_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(spec.startswith("pre-commit") for spec in project["optional-dependencies"]["dev"])
    locked = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text().splitlines()
    }
    assert "pre-commit" in locked


def test_the_readme_says_how_to_install_the_hooks_and_run_the_fast_suite():
    readme = (ROOT / "README.md").read_text()
    assert "## Contributing" in readme
    assert ".venv/bin/pre-commit install" in readme
    assert '-m "not slow"' in readme
