"""The README's main job (examples/quickstart.sh), step by step, against the embedded simulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.cli import main

ROOT = Path(__file__).resolve().parent.parent


def steps_of_quickstart() -> list[list[str]]:
    """The `step ...` lines of the script, so this test follows the script as it is."""
    script = (ROOT / "examples" / "quickstart.sh").read_text()
    steps = re.findall(r"^step (.+?)(?: >/dev/null.*)?$", script, flags=re.MULTILINE)
    return [line.split() for line in steps]


def test_quickstart_runs_validate_plan_apply_drift_in_order() -> None:
    commands = [step[0] for step in steps_of_quickstart()]
    assert commands == ["apply", "validate", "plan", "apply", "drift"]


def test_quickstart_steps_succeed_and_end_in_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY", raising=False)
    state = tmp_path / "sandbox.json"
    journal = tmp_path / "journal.jsonl"
    for step in steps_of_quickstart():
        args = [str(journal) if a.endswith("quickstart-journal.jsonl") else a for a in step]
        code = main(["--sandbox", "--sandbox-state", str(state), *args])
        assert code == 0, (step, capsys.readouterr())
    out = capsys.readouterr().out
    assert "Drift: no differences from git across 3 integrations." in out
    assert len(journal.read_text().splitlines()) == 5
    # A second plan right after shows nothing to do.
    code = main(["--sandbox", "--sandbox-state", str(state), "plan", "--detailed-exitcode",
                 "examples/integrations/"])  # fmt: skip
    assert code == 0
