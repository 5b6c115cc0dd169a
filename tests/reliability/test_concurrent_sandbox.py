"""Two processes on one sandbox state file: both apply, and neither loses the other's work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reconciler.simulator.state import StateStore

COUNT = 15


def _files(directory: Path, ids: range) -> None:
    directory.mkdir()
    for integration_id in ids:
        (directory / f"{integration_id}.yaml").write_text(
            f"integration_id: {integration_id}\n"
            f"statuses:\n  '1': {{en-gb: Paid {integration_id}}}\n"
            "mapping: {READY_TO_SEND: '1', IN_TRANSIT: null, DELIVERED: null, CANCEL: null}\n"
        )


def _apply(directory: str, cwd: Path) -> subprocess.Popen[str]:
    # Writes paced to 20 a second: each process takes a couple of seconds, so they overlap.
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "--sandbox", "--sandbox-state", "state.json",
         "--writes-per-minute", "1200", "--parallelism", "2",
         "apply", directory, "--auto-approve"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_sandbox_applies_at_once_lose_nothing(tmp_path: Path) -> None:
    _files(tmp_path / "a", range(1, COUNT + 1))
    _files(tmp_path / "b", range(101, 101 + COUNT))
    first, second = _apply("a", tmp_path), _apply("b", tmp_path)
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert f"Apply complete: {COUNT} applied" in err
    state = json.loads((tmp_path / "state.json").read_text())
    held = {int(key) for key in state["integrations"]}
    assert held == set(range(1, COUNT + 1)) | set(range(101, 101 + COUNT))
    for key, integration in state["integrations"].items():
        assert integration["mapping"]["READY_TO_SEND"] == "1", key


def test_a_store_sees_what_another_store_wrote(tmp_path: Path) -> None:
    # The same as two processes, within one: each change starts from the file, not memory.
    path = tmp_path / "state.json"
    one, other = StateStore(path), StateStore(path)
    with one.transaction() as state:
        state.integrations[1] = type(state).from_json({"integrations": {"1": {}}}).integrations[1]
    with other.transaction() as state:
        state.integrations[2] = type(state).from_json({"integrations": {"2": {}}}).integrations[2]
    assert set(one.snapshot()["integrations"]) == {"1", "2"}
