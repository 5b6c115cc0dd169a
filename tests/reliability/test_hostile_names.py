"""Every command, every path it prints: a hostile file name shows as text, never as a command.

A name holding a line break and ``::warning::`` would, printed raw, be a GitHub Actions workflow
command of its own; in render's YAML it would be a key of its own. The files here are valid, so the
names travel the success paths (plans, summaries, "saved to" lines), not just the error paths.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reconciler.simulator.simulator import Simulator
from tests.commands.simstate import integration
from tests.reliability.conftest import IID, VALID, Run

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

EVIL = "\n::warning::pwned\nintegration_id: 999\n#"
FAST = ("--reads-per-minute", "60000", "--writes-per-minute", "900")


def forged(text: str) -> list[str]:
    """Lines the runner would take for a workflow command, or that a name forged into YAML."""
    lines = [line.lstrip() for line in text.splitlines()]
    return [line for line in lines if line.startswith(("::", "integration_id: 9"))]


@pytest.fixture
def tree(sim: Simulator) -> Path:
    sim.replace_state({"integrations": {str(IID): integration({}, {})}})
    directory = Path(f"dir{EVIL}")
    directory.mkdir()
    (directory / f"shop{EVIL}.yaml").write_text(VALID)
    return directory


def test_every_command_shows_a_hostile_name_as_text(
    cli: Run, api_url: str, tree: Path, sim: Simulator
) -> None:
    api = ("--api-url", api_url, *FAST)
    plan_file, journal = f"plan{EVIL}.json", f"journal{EVIL}.jsonl"
    runs = [
        ("validate", tree),
        ("render", tree),
        ("render", "--format", "json", tree),
        ("matrix", tree),
        ("policy", "list", tree),
        ("policy", "check", tree),
        (*api, "plan", tree, "--out", plan_file),
        (*api, "plan", tree, "--format", "markdown"),
        (*api, "plan", tree, "--format", "json"),
        (*api, "drift", tree),
        (*api, "snapshot", tree, "--out", f"snap{EVIL}.json"),
        (*api, "plan", tree, "--live", f"snap{EVIL}.json"),
        (*api, "apply", "--plan", plan_file, "--check-files", tree, "--auto-approve"),
        (*api, "apply", tree, "--auto-approve", "--journal", journal),
        ("journal", "show", journal),
        (*api, "restore", "--journal", journal, "--out", f"restore{EVIL}.json"),
        (*api, "import", str(IID), "--dir", f"out{EVIL}"),
        (*api, "import", str(IID), "--dir", f"out{EVIL}"),
    ]
    for args in runs:
        outcome = cli(*args)
        assert forged(outcome.text) == [], (args, outcome.text)

    sim.replace_state({"integrations": {str(IID): integration({"2": {"en-gb": "Paid"}}, {})}})
    outcome = cli(*api, "adopt", tree)
    assert outcome.code == 0, outcome.text
    assert forged(outcome.text) == [], outcome.text


def test_render_yaml_of_a_hostile_name_is_the_file_it_describes(cli: Run, tree: Path) -> None:
    outcome = cli("render", tree)

    assert outcome.code == 0, outcome.text
    document = YAML(typ="safe").load(outcome.out)
    assert document["integration_id"] == IID
    assert "\\n::warning::pwned" in outcome.out
    as_json = json.loads(cli("render", "--format", "json", tree).out)
    assert as_json[0]["source"].endswith(f"shop{EVIL}.yaml")


def test_sandbox_commands_and_refused_arguments_show_a_hostile_name_as_text(
    cli: Run, tree: Path
) -> None:
    state = f"state{EVIL}.json"
    shop = next(tree.iterdir())
    for args in [
        ("sandbox", "set", str(IID), shop, "--state", state),
        ("sandbox", "set", str(IID), shop, "--state", state),
        ("sandbox", "show", str(IID), "--state", state),
        ("sandbox", "set", "8", shop, "--state", state),
        ("sandbox", "set", str(IID), f"missing{EVIL}.yaml", "--state", state),
        ("plan", "--format", f"text{EVIL}", tree),
    ]:
        outcome = cli(*args)
        assert forged(outcome.text) == [], (args, outcome.text)
