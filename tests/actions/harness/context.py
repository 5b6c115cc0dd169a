"""The state of a run and of a job, and the small rules the runner follows (matrix, shells,
the GITHUB_OUTPUT / GITHUB_ENV file format, dispatch inputs)."""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.actions.harness.fake_gh import FakeGitHub
from tests.actions.harness.results import JobResult

if TYPE_CHECKING:
    from tests.actions.harness.runner import Runner

TOKEN = "ghs_FAKE-workflow-token-0123456789"  # a stand-in the tests look for
STEP_TIMEOUT = 300


@dataclass(frozen=True)
class Environment:
    """A deployment environment: the branches allowed to use it and the secrets it holds."""

    branches: tuple[str, ...]
    secrets: Mapping[str, str]


@dataclass
class Run:
    run_id: int
    event_name: str
    event: dict[str, Any]
    ref: str
    sha: str
    inputs: dict[str, Any]
    head_branch: str
    head_sha: str

    def artifact_run(self) -> dict[str, Any]:
        return {"id": self.run_id, "head_branch": self.head_branch, "head_sha": self.head_sha}


@dataclass
class JobContext:
    runner: Runner
    run: Run
    name: str
    workspace: Path
    temp: Path
    secrets: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)  # workflow + job env, then GITHUB_ENV
    path: list[str] = field(default_factory=list)  # GITHUB_PATH, newest first
    counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def github(self) -> FakeGitHub:
        return self.runner.github

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.workspace, capture_output=True, text=True, check=True
        )
        return done.stdout


def executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def job_needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def combined(results: list[JobResult]) -> str:
    outcomes = {r.result for r in results}
    if "failure" in outcomes:
        return "failure"
    return "skipped" if outcomes == {"skipped"} else "success"


def merged_outputs(results: list[JobResult]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for result in results:  # as on GitHub, a matrix job's outputs: the last one that set it wins
        merged.update({k: v for k, v in result.outputs.items() if v != ""})
    return merged


def with_defaults(
    document: Mapping[str, Any], event_name: str, given: Mapping[str, Any]
) -> dict[str, Any]:
    triggers = document.get("on") or {}
    spec = triggers.get(event_name) if isinstance(triggers, dict) else None
    # Only a manual run (or a call) has inputs; on other events the context is empty.
    declared = (spec.get("inputs") if isinstance(spec, dict) else None) or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise AssertionError(f"inputs {sorted(unknown)} are not declared for {event_name}")
    inputs = {k: v.get("default", "") for k, v in declared.items()}
    inputs.update(given)
    return inputs


def expand_matrix(matrix: Any) -> list[dict[str, Any] | None]:
    """`strategy.matrix` as GitHub expands it: the product, minus `exclude`, plus `include`."""
    if not matrix:
        return [None]
    if not isinstance(matrix, Mapping):
        raise AssertionError(f"matrix is not a mapping: {matrix!r}")
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    combos: list[dict[str, Any]] = [
        dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())
    ] if axes else []  # fmt: skip
    for rule in matrix.get("exclude") or []:
        combos = [c for c in combos if any(c.get(k) != v for k, v in rule.items())]
    originals = [dict(c) for c in combos]
    for extra in matrix.get("include") or []:
        matched = False
        for combo, original in zip(combos, originals, strict=True):
            if all(original.get(k, v) == v for k, v in extra.items() if k in axes):
                combo.update(extra)
                matched = True
        if not matched:
            combos.append(dict(extra))
    return list(combos) or [None]


def shell_command(shell: str | None, script: str) -> list[str]:
    if shell in (None, ""):
        return ["bash", "-e", script]
    if shell == "bash":
        return ["bash", "--noprofile", "--norc", "-eo", "pipefail", script]
    if shell == "sh":
        return ["sh", "-e", script]
    if shell == "python":
        return [sys.executable, script]
    return [part.replace("{0}", script) for part in shlex.split(shell)]


_HEREDOC = re.compile(r"^([^=<\s]+)<<(.+)$")


def read_key_values(path: Path) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as the runner reads them."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        heredoc = _HEREDOC.match(line)
        if heredoc:
            name, delimiter = heredoc.groups()
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        elif line.strip():
            raise AssertionError(f"invalid line in {path.name}: {line!r}")
        index += 1
    return values
