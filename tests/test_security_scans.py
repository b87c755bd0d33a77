"""Static scanning in the suite: bandit finds nothing above low severity in the project's code."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_finds_nothing_of_medium_or_high_severity():
    bandit = Path(sys.executable).parent / "bandit"
    result = subprocess.run(  # noqa: S603
        [str(bandit), "-q", "-r", "casework", "api", "console", "permissions", "-ll", "-f", "txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
