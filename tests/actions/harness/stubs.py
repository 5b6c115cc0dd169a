"""Stand-ins for the third-party actions the workflows use; each test names the ones it allows.

A stub gets the step's `with:` inputs (expressions already evaluated) and the job it runs in,
does what the action would do on this machine, and returns the action's outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.actions.harness.runner import JobContext

Stub = Callable[["JobContext", Mapping[str, str]], dict[str, str]]


class StubError(Exception):
    pass


def checkout(job: JobContext, inputs: Mapping[str, str]) -> dict[str, str]:
    """The repository (the test's bare `origin`) at the run's commit, detached, with no token."""
    if str(inputs.get("persist-credentials", "true")).lower() != "false":
        raise StubError("actions/checkout without persist-credentials: false")
    job.git("init", "--quiet")
    job.git("remote", "add", "origin", str(job.runner.origin))
    job.git("fetch", "--quiet", "origin", "+refs/heads/*:refs/remotes/origin/*",
            "+refs/pull/*:refs/remotes/pull/*")  # fmt: skip
    job.git("checkout", "--quiet", "--detach", job.run.sha)
    return {}


def setup_python(job: JobContext, inputs: Mapping[str, str]) -> dict[str, str]:
    """The test's interpreter (with reconciler installed) is already first on PATH."""
    return {"python-version": inputs.get("python-version", "")}


def upload_artifact(job: JobContext, inputs: Mapping[str, str]) -> dict[str, str]:
    name = inputs.get("name") or "artifact"
    patterns = [p.strip() for p in str(inputs["path"]).splitlines() if p.strip()]
    files: list[Path] = []
    for pattern in patterns:
        path = job.workspace / pattern
        if path.is_dir():
            files += [f for f in sorted(path.rglob("*")) if f.is_file()]
        elif path.is_file():
            files.append(path)
    if not files:
        behaviour = inputs.get("if-no-files-found") or "warn"
        if behaviour == "error":
            raise StubError(f"no files were found with the provided path: {inputs['path']}")
        return {}
    # The artifact keeps paths relative to the least common ancestor of what was uploaded.
    base = Path(*_common_parts([f.parent for f in files]))
    job.github.add_artifact(job.run.artifact_run(), name, files, base)
    return {"artifact-id": name}


def download_artifact(job: JobContext, inputs: Mapping[str, str]) -> dict[str, str]:
    run_id = inputs.get("run-id") or str(job.run.run_id)
    target = job.workspace / (inputs.get("path") or ".")
    job.github.download_artifact(run_id, str(inputs["name"]), target)
    return {"download-path": str(target)}


def _common_parts(paths: list[Path]) -> tuple[str, ...]:
    parts = paths[0].parts
    for path in paths[1:]:
        length = 0
        for a, b in zip(parts, path.parts, strict=False):
            if a != b:
                break
            length += 1
        parts = parts[:length]
    return parts


# The actions the example workflows use, by name (the ref is ignored: it is checked by the lint).
THIRD_PARTY: dict[str, Stub] = {
    "actions/checkout": checkout,
    "actions/setup-python": setup_python,
    "actions/upload-artifact": upload_artifact,
    "actions/download-artifact": download_artifact,
}
