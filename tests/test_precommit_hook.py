"""The `reconciler-validate` pre-commit hook (.pre-commit-hooks.yaml), run by pre-commit itself.

The config repository's `.pre-commit-config.yaml` names a git repository holding this checkout
(as a user's `repo:` entry would); pre-commit installs the hook from it into its own virtualenv,
which needs the package index: pre-commit always installs a Python hook's dependencies from it.
The validation itself is offline. Each check stages one edit and runs the hook on what is
staged, as `git commit` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_GIT = ("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false")


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *_GIT, *args], cwd=cwd, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _hook_repo(tmp_path: Path) -> tuple[Path, str]:
    hook_repo = tmp_path / "reconciler"
    hook_repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, hook_repo / name)
    shutil.copytree(REPO / "reconciler", hook_repo / "reconciler",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    _git(hook_repo, "init", "--quiet")
    _git(hook_repo, "add", "--all")
    _git(hook_repo, "commit", "--quiet", "--message", "reconciler")
    return hook_repo, _git(hook_repo, "rev-parse", "HEAD")


def _config_repo(tmp_path: Path, hook_repo: Path, rev: str, tree: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(tree, config)
    (config / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_uri()}\n    rev: {rev}\n"
        "    hooks:\n      - id: reconciler-validate\n",
        encoding="utf-8",
    )
    (config / "notes.yaml").write_text("not: an integration\n", encoding="utf-8")
    _git(config, "init", "--quiet")
    _git(config, "add", "--all")
    _git(config, "commit", "--quiet", "--message", "config")
    return config


class Hook:
    def __init__(self, config: Path, home: Path) -> None:
        self.config = config
        self.home = home

    def commit(self, path: str, text: str) -> subprocess.CompletedProcess[str]:
        """Stage ``text`` as ``path`` and run the hooks on what is staged; then undo the edit."""
        target = self.config / path
        before = target.read_text(encoding="utf-8") if target.exists() else None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        _git(self.config, "add", "--all")
        env = {**os.environ, "PRE_COMMIT_HOME": str(self.home)}
        env.pop("GITHUB_ACTIONS", None)
        try:
            return subprocess.run(
                [str(Path(sys.executable).with_name("pre-commit")), "run", "--color=never"],
                cwd=self.config,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        finally:
            _git(self.config, "reset", "--quiet", "--hard")
            if before is None:
                _git(self.config, "clean", "--quiet", "--force", "--", path)


def test_validate_runs_as_a_pre_commit_hook(tmp_path: Path) -> None:
    hook_repo, rev = _hook_repo(tmp_path)
    config = _config_repo(tmp_path, hook_repo, rev, REPO / "examples/integrations")
    hook = Hook(config, tmp_path / "pre-commit-home")

    skipped = hook.commit("notes.yaml", "still: not an integration\n")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "(no files to check)Skipped" in skipped.stdout

    passed = hook.commit("integrations/new.yaml", "integration_id: 8\n")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "reconciler validate" in passed.stdout
    assert "Passed" in passed.stdout

    failed = hook.commit(
        "integrations/broken.yaml", "integration_id: 7\nstatuses:\n  '1':\n    xx-xx: Paid\n"
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "integrations/broken.yaml:4:5:" in failed.stdout


def test_base_and_project_file_edits_validate_the_files_that_depend_on_them(
    tmp_path: Path,
) -> None:
    # The README's fleet layout (bases/ beside integrations/, reconciler.yaml at the root), plus
    # a base kept under integrations/_bases/ that one shop extends.
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "examples/fleet", tree)
    (tree / "integrations/_bases").mkdir()
    (tree / "integrations/_bases/belgian.yaml").write_text(
        "extends: ../../bases/prestashop-nl.yaml\nstatuses:\n  '5': {fr-fr: Livré}\n",
        encoding="utf-8",
    )
    shop = tree / "integrations/be/antwerpen-design.yaml"
    shop.write_text(
        shop.read_text(encoding="utf-8").replace(
            "extends: ../../bases/prestashop-nl.yaml", "extends: ../_bases/belgian.yaml"
        ),
        encoding="utf-8",
    )
    hook_repo, rev = _hook_repo(tmp_path)
    config = _config_repo(tmp_path, hook_repo, rev, tree)
    hook = Hook(config, tmp_path / "pre-commit-home")

    # A base edit that breaks every shop extending it: only the base is staged.
    base = (config / "bases/prestashop-nl.yaml").read_text(encoding="utf-8")
    broken = hook.commit("bases/prestashop-nl.yaml", base.replace('CANCEL: "6"', 'CANCEL: "66"'))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    where = "mapping CANCEL (from bases/prestashop-nl.yaml:18) points at status '66'"
    assert where in broken.stdout
    assert "5 problems in 5 files." in broken.stdout  # every shop that extends it

    # A valid edit of a base under integrations/, staged without the shop that extends it.
    edited = hook.commit(
        "integrations/_bases/belgian.yaml",
        "extends: ../../bases/prestashop-nl.yaml\nstatuses:\n  '5': {fr-fr: Livré à domicile}\n",
    )
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert "Passed" in edited.stdout

    # The project file is checked too.
    project = (config / "reconciler.yaml").read_text(encoding="utf-8")
    wrong = hook.commit("reconciler.yaml", project.replace("max_delete_share", "max_delete_shar"))
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "reconciler.yaml:" in wrong.stdout
    assert "max_delete_shar" in wrong.stdout
