"""The README's main job (examples/quickstart.sh), step by step, against the embedded simulator.

The steps run in-process from a copy of examples/ in an empty directory, with no
``--sandbox-state``: the script relies on the CLI's default state file, and so does the next
command it (and the README) suggests.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.sendcloud.options import DEFAULT_SANDBOX_STATE

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = (ROOT / "examples" / "quickstart.sh").read_text()


def steps_of_quickstart() -> list[list[str]]:
    """The `step ...` lines of the script, so this test follows the script as it is."""
    steps = re.findall(r"^step (.+?)(?: >/dev/null.*)?$", SCRIPT, flags=re.MULTILINE)
    return [line.split() for line in steps]


def suggested_commands() -> list[list[str]]:
    """The `reconciler ...` commands the script prints at the end as the next ones to try."""
    lines = re.findall(r"^printf '  (reconciler .+)\\n'$", SCRIPT, flags=re.MULTILINE)
    return [line.split()[1:] for line in lines]


def readme_quickstart() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory holding a copy of examples/, as the current directory."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_quickstart_runs_validate_plan_apply_drift_in_order() -> None:
    commands = [step[0] for step in steps_of_quickstart()]
    assert commands == [
        "apply",
        "validate",
        "plan",
        "apply",
        "drift",
        "validate",
        "plan",
        "apply",
        "drift",
    ]
    assert steps_of_quickstart()[-1] == ["drift", "examples/fleet/integrations/"]


def test_quickstart_uses_the_default_sandbox_state() -> None:
    assert "--sandbox-state" not in SCRIPT
    assert f"rm -f {DEFAULT_SANDBOX_STATE.as_posix()}\n" in SCRIPT


def test_quickstart_steps_succeed_and_the_suggested_plan_shows_no_changes(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for step in steps_of_quickstart():
        assert main(["--sandbox", *step]) == 0, (step, capsys.readouterr())
    out = capsys.readouterr().out
    assert "Drift: no differences from git across 3 integrations." in out
    assert (checkout / DEFAULT_SANDBOX_STATE).is_file()
    journal = checkout / ".reconciler" / "quickstart-journal.jsonl"
    assert len(journal.read_text().splitlines()) == 10  # each write: sending, then ok
    # The fleet: each account in its own sandbox, planned with identical changes grouped.
    assert "~ 2 integrations: 6 statuses to create, 4 mapping changes; 2 API writes each" in out
    assert "Account agency-be: Drift: no differences from git across 2 integrations." in out
    assert "Account agency-nl: Drift: no differences from git across 4 integrations." in out
    assert {p.name for p in (checkout / ".reconciler").glob("sandbox.*.json")} == {
        "sandbox.agency-be.json",
        "sandbox.agency-nl.json",
    }
    code = main(["--sandbox", "plan", "--detailed-exitcode", "examples/fleet/integrations/"])
    assert code == 0

    suggested = suggested_commands()
    assert ["--sandbox", "plan", "examples/integrations/"] in suggested
    for command in suggested:
        assert main(command) == 0, (command, capsys.readouterr())
    out = capsys.readouterr().out
    assert "Plan: no changes across 3 integrations" in out
    assert "integration_id: 23452345" in out  # `sandbox show` of an example integration
    code = main(["--sandbox", "plan", "--detailed-exitcode", "examples/integrations/"])
    assert code == 0


def test_readme_describes_the_script_exactly() -> None:
    section = readme_quickstart()
    shown = re.findall(r"^\$ reconciler --sandbox (.+?)(?:\s+#.*)?$", section, flags=re.MULTILINE)
    assert [line.split() for line in shown] == steps_of_quickstart()
    assert DEFAULT_SANDBOX_STATE.as_posix() in section
    assert "source .venv/bin/activate" in section
    for command in suggested_commands():
        assert " ".join(["reconciler", *command]) in section


def test_no_readme_table_is_cut_in_two_by_a_blank_line() -> None:
    """A blank line inside a Markdown table ends it: the rows after it render as plain text."""
    lines = (Path(__file__).resolve().parents[1] / "README.md").read_text().splitlines()
    cut = [
        number + 1
        for number in range(1, len(lines) - 1)
        if not lines[number].strip()
        and lines[number - 1].startswith("|")
        and lines[number + 1].startswith("|")
    ]
    assert cut == [], f"README.md: blank line inside a table at line(s) {cut}"
