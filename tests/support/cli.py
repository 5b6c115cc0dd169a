"""Running the CLI in process as a user would, and reading what it printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main

# Rate limits scaled down for tests against the loopback simulator.
FAST = ("--reads-per-minute", "60000", "--writes-per-minute", "900")


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``reconciler ARGS``: the exit code, stdout and stderr of this run only."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err
