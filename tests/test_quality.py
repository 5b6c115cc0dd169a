"""The code-quality gates run as part of the test suite, so the one test command checks them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_lint() -> None:
    result = run(str(BIN / "ruff"), "check", "reconciler", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run(str(BIN / "ruff"), "format", "--check", "reconciler", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_package() -> None:
    result = run(str(BIN / "mypy"), "reconciler")
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_finds_no_security_issue() -> None:
    result = run(str(BIN / "bandit"), "-q", "-r", "reconciler", "-ll")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="pip-audit runs on the CI platform")
def test_pip_audit_finds_no_known_vulnerability() -> None:
    result = run(str(BIN / "pip-audit"), "--progress-spinner", "off", "--skip-editable")
    assert result.returncode == 0, result.stdout + result.stderr
