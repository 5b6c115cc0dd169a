"""The `reconciler-validate` pre-commit hook (.pre-commit-hooks.yaml), run by pre-commit itself.

`pre-commit try-repo` installs the hook from a git repository holding this checkout (as a user's
`repo:` entry would) into its own virtualenv, which needs the package index: pre-commit always
installs a Python hook's dependencies from it. The validation itself is offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_GIT = ("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *_GIT, *args], cwd=cwd, check=True, capture_output=True)


def _pre_commit(cwd: Path, hook_repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("pre-commit")),
            "try-repo",
            str(hook_repo),
            "reconciler-validate",
            "--all-files",
            "--color=never",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_validate_runs_as_a_pre_commit_hook(tmp_path: Path) -> None:
    hook_repo = tmp_path / "reconciler"
    hook_repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, hook_repo / name)
    shutil.copytree(REPO / "reconciler", hook_repo / "reconciler",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    _git(hook_repo, "init", "--quiet")
    _git(hook_repo, "add", "--all")
    _git(hook_repo, "commit", "--quiet", "--message", "reconciler")

    config = tmp_path / "config"
    shutil.copytree(REPO / "examples/integrations", config / "integrations")
    (config / "notes.yaml").write_text("not: an integration\n", encoding="utf-8")  # not matched
    _git(config, "init", "--quiet")
    _git(config, "add", "--all")
    home = tmp_path / "pre-commit-home"

    passed = _pre_commit(config, hook_repo, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "reconciler validate" in passed.stdout
    assert "Passed" in passed.stdout

    (config / "integrations/broken.yaml").write_text(
        "integration_id: 7\nstatuses:\n  '1':\n    xx-xx: Paid\n", encoding="utf-8"
    )
    _git(config, "add", "--all")
    failed = _pre_commit(config, hook_repo, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "integrations/broken.yaml:4:5:" in failed.stdout
