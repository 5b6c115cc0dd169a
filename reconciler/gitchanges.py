"""``--changed-since REF``: which files changed between a git commit and the working tree.

A pull request that edits one shop's file should plan that shop only: two GETs instead of two per
integration in the repository. git answers which files changed (committed, staged, unstaged and
untracked alike, so a local run sees what CI will see); `select_changed` then keeps the
integrations whose own file, or any base it extends, is among them, and every integration when
the project file (``reconciler.yaml``: safety, accounts, policies) or a file it includes changed.
A file deleted since REF means its integration is no longer managed: the plan says so and nothing
is written for it.

git runs as a subprocess with a fixed argument list (never a shell); REF is checked with
``rev-parse --verify`` first, so a typo is one clear error rather than git's usage text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ReconcilerError
from reconciler.project import PROJECT_FILE_NAMES
from reconciler.targeting import LeftOut, Selection

_INTEGRATION_ID = re.compile(r"^integration_id:\s*['\"]?(\d+)", re.MULTILINE)
_TIMEOUT = 60.0


class GitError(ReconcilerError):
    """git is missing, the path is not in a repository, or REF is not a commit."""


@dataclass(frozen=True)
class Changes:
    """Files that differ between REF and the working tree, as absolute resolved paths."""

    ref: str
    root: Path
    changed: frozenset[Path]  # added or modified (including untracked files)
    deleted: frozenset[Path]


def changes_since(ref: str, where: str | os.PathLike[str] = ".") -> Changes:
    """Ask git which files changed between ``ref`` and the working tree of ``where``'s repository.

    Raises `GitError` with a one-line explanation when git cannot answer.
    """
    start = Path(where)
    start = start if start.is_dir() else start.parent
    root = Path(_git(["rev-parse", "--show-toplevel"], start, ref).strip())
    verify = ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]
    if not _git(verify, root, ref, check=False):
        raise GitError(
            f"--changed-since {ref}: git knows no commit {ref!r} in {root}; fetch it first "
            "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
        )
    diff = _git(["diff", "--name-status", "--no-renames", "-z", ref, "--"], root, ref).split("\0")
    changed: set[Path] = set()
    deleted: set[Path] = set()
    for status, name in zip(diff[0::2], diff[1::2], strict=False):
        path = (root / name).resolve()
        (deleted if status.startswith("D") else changed).add(path)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root, ref)
    changed.update((root / name).resolve() for name in untracked.split("\0") if name)
    return Changes(ref, root, frozenset(changed), frozenset(deleted))


def old_integration_id(changes: Changes, path: Path) -> int | None:
    """The integration id a deleted file held at REF, when git can still show it."""
    relative = path.relative_to(changes.root).as_posix()
    text = _git(["show", f"{changes.ref}:{relative}"], changes.root, changes.ref, check=False)
    found = _INTEGRATION_ID.search(text or "")
    return int(found.group(1)) if found else None


def _git(args: Sequence[str], cwd: Path, ref: str, *, check: bool = True) -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError(f"--changed-since {ref}: git is not installed or not on PATH")
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [git, *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"--changed-since {ref}: git could not run ({exc})") from None
    if done.returncode != 0:
        if not check:
            return ""
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(
            f"--changed-since {ref}: git failed in {cwd} ({detail[0] if detail else 'no detail'}); "
            "run it inside a git repository"
        )
    return done.stdout.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Candidate:
    """One loaded file: its integration, where it is, and the files it is made from."""

    integration_id: int
    source: str
    account: str
    dependencies: tuple[str, ...]  # the bases it extends, directly or not


def governing_changes(
    changes: Changes,
    governing: Sequence[tuple[str, str]],
    *,
    under: Sequence[str],
    shown: Callable[[Path], str],
) -> list[str]:
    """Which files that govern every integration changed: ``"reconciler.yaml (the project
    file)"``. ``governing`` holds (path, what it is) for the project file and the files it
    includes; a project file deleted since REF above ``under`` counts too (its settings, accounts
    and policies are gone)."""
    changed = []
    for name, role in governing:
        resolved = Path(name).resolve()
        if resolved in changes.changed | changes.deleted:
            changed.append(f"{shown(resolved)} ({role})")
    roots = [Path(p).resolve() for p in under]
    for deleted in sorted(changes.deleted):
        if deleted.name in PROJECT_FILE_NAMES and any(
            deleted.parent == r or deleted.parent in r.parents for r in roots
        ):
            changed.append(f"{shown(deleted)} (the project file, deleted)")
    return list(dict.fromkeys(changed))


def select_changed(
    candidates: Sequence[Candidate],
    changes: Changes,
    *,
    under: Sequence[str],
    shown: Callable[[Path], str] = lambda p: os.path.relpath(p),
    governing: Sequence[tuple[str, str]] = (),
) -> tuple[set[int], Selection]:
    """The integrations to plan, and the `Selection` saying why each one was or was not chosen.

    ``under`` are the paths the command was given: only deletions below them are reported.
    ``governing``: (path, what it is) of the project file and the files it includes; when one of
    them changed, every candidate is chosen (its safety, account or policies may have changed,
    as a change to a base changes every file extending it), and the criteria say why.
    """
    chosen: set[int] = set()
    reasons: list[tuple[int, str]] = []
    left_out: list[LeftOut] = []
    ref = changes.ref
    settings = governing_changes(changes, governing, under=under, shown=shown)
    for candidate in candidates:
        if settings:
            chosen.add(candidate.integration_id)
            continue
        own = Path(candidate.source).resolve()
        bases = [d for d in candidate.dependencies if Path(d).resolve() in changes.changed]
        if own in changes.changed:
            reasons.append((candidate.integration_id, f"{candidate.source} changed since {ref}"))
        elif bases:
            reasons.append(
                (candidate.integration_id, f"extends {', '.join(bases)}, which changed since {ref}")
            )
        else:
            why = f"unchanged since {ref} (--changed-since)"
            left_out.append(
                LeftOut(candidate.integration_id, candidate.source, candidate.account, why)
            )
            continue
        chosen.add(candidate.integration_id)
    managed = {c.integration_id for c in candidates}
    roots = [Path(p).resolve() for p in under]
    notes = []
    for path in sorted(changes.deleted):
        if path.name in PROJECT_FILE_NAMES or not path.name.endswith((".yaml", ".yml")):
            continue  # a project file describes no integration (see governing_changes)
        if not any(path == r or r in path.parents for r in roots):
            continue
        old_id = old_integration_id(changes, path)
        if old_id is not None and old_id in managed:
            continue  # moved or renamed: its new file is planned like any changed file
        what = f"integration {old_id}" if old_id is not None else "the integration it described"
        notes.append(
            f"{shown(path)} was deleted since {ref}: {what} is no longer managed, and nothing is "
            "written for it (Sendcloud keeps its statuses and mapping as they are)"
        )
    criteria = (f"--changed-since {ref}",)
    if settings:
        criteria = (
            f"--changed-since {ref} ({' and '.join(settings)} changed since {ref}, which "
            f"governs every integration: all {len(chosen)} are planned)",
        )
    return chosen, Selection(tuple(left_out), tuple(reasons), tuple(notes), criteria)
