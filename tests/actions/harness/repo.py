"""A config repository for workflow runs: a bare `origin` and a developer's clone that pushes to it.

The developer commits to branches, opens pull requests (on the fake GitHub, with the merge ref
`refs/pull/N/merge` GitHub would create) and merges them, so a test can drive the same sequence of
events a real repository sees.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.actions.harness.fake_gh import FakeGitHub

_IDENTITY = (
    "-c",
    "user.name=Dev",
    "-c",
    "user.email=dev@example.com",
    "-c",
    "commit.gpgsign=false",
)


class ConfigRepo:
    def __init__(self, root: Path, github: FakeGitHub) -> None:
        self.origin = root / "origin.git"
        self.dev = root / "dev"
        self.github = github
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(self.origin)],
            check=True,
        )
        self.dev.mkdir()
        self.git("init", "--quiet", "--initial-branch=main")
        self.git("remote", "add", "origin", str(self.origin))

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *_IDENTITY, *args], cwd=self.dev, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
        return done.stdout.strip()

    def write(self, files: dict[str, str | Path | None]) -> None:
        """Write (text, or a copy of a file or directory) or delete (None) paths in the clone."""
        for name, content in files.items():
            target = self.dev / name
            if content is None:
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
            elif isinstance(content, Path):
                if content.is_dir():
                    shutil.copytree(content, target, dirs_exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(content, target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")

    def commit(
        self, message: str, files: dict[str, str | Path | None], branch: str = "main"
    ) -> str:
        """Commit on ``branch`` (created from main if new) and push it; the new commit's SHA."""
        if branch != self.current_branch():
            exists = self.git("branch", "--list", branch)
            self.git("switch", "--quiet", branch) if exists else self.git(
                "switch", "--quiet", "--create", branch, "main"
            )
        self.write(files)
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "--message", message)
        self.git("push", "--quiet", "--force", "origin", branch)
        return self.sha(branch)

    def current_branch(self) -> str:
        return self.git("symbolic-ref", "--quiet", "--short", "HEAD")

    def sha(self, ref: str) -> str:
        return self.git("rev-parse", ref)

    def read(self, ref: str, path: str) -> str:
        self.git("fetch", "--quiet", "origin", f"+{ref}:refs/remotes/check/{ref}")
        return self.git("show", f"refs/remotes/check/{ref}:{path}")

    def open_pull_request(self, branch: str, title: str = "Change integrations") -> int:
        return self.github.open_pull_request(
            head=branch, base="main", head_sha=self.sha(branch), title=title
        )

    def merge_ref(self, number: int, branch: str) -> str:
        """GitHub's test merge of the pull request into main, pushed as refs/pull/N/merge."""
        self.git("fetch", "--quiet", "origin")
        self.git("switch", "--quiet", "--detach", "origin/main")
        self.git("merge", "--quiet", "--no-ff", "--no-edit", f"origin/{branch}")
        sha = self.sha("HEAD")
        self.git("push", "--quiet", "--force", "origin", f"{sha}:refs/pull/{number}/merge")
        self.git("switch", "--quiet", "main")
        return sha

    def merge(self, number: int, branch: str) -> str:
        """Merge the pull request into main (a merge commit), push, and tell the fake GitHub."""
        self.git("switch", "--quiet", "main")
        self.git("pull", "--quiet", "--ff-only", "origin", "main")
        self.git("merge", "--quiet", "--no-ff", "--no-edit", branch)
        self.git("push", "--quiet", "origin", "main")
        sha = self.sha("main")
        self.github.merge_pull_request(number, sha)
        return sha

    def pull_request_event(self, number: int, branch: str) -> dict[str, object]:
        return {
            "number": number,
            "pull_request": {
                "number": number,
                "head": {
                    "sha": self.sha(branch),
                    "ref": branch,
                    "repo": {"full_name": "acme/config"},
                },
                "base": {"ref": "main", "repo": {"full_name": "acme/config"}},
            },
        }
