"""GitHub Actions at its edges: annotation caps, an honest ``has_changes``, no injected commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.commands.simstate import integration
from tests.reliability.conftest import IID, VALID, Run

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

INJECTED = "\n::error::forged by the input"


@pytest.fixture
def actions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Path]:
    files = {"summary": tmp_path / "summary.md", "outputs": tmp_path / "outputs.txt"}
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files["summary"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(files["outputs"]))
    return files


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def commands(text: str) -> list[str]:
    """Every line the runner would take for a workflow command (after leading whitespace)."""
    return [line.lstrip() for line in text.splitlines() if line.lstrip().startswith("::")]


def test_fifteen_problems_give_ten_annotations_a_notice_and_the_full_list(
    cli: Run, actions: dict[str, Path]
) -> None:
    for n in range(15):
        Path(f"bad{n:02}.yaml").write_text(f"integration_id: {IID + n}\ncolour: blue\n")

    outcome = cli("validate", ".")

    assert outcome.code == 1
    found = commands(outcome.text)
    assert len([c for c in found if c.startswith("::error ")]) == 10
    assert found[-1].startswith("::notice title=reconciler::5 more errors not annotated here")
    assert "all 15 are in the job summary" in found[-1]
    summary = actions["summary"].read_text()
    assert (
        summary.count("unknown key &#39;colour&#39;") + summary.count("unknown key 'colour'") == 15
    )
    assert "bad14.yaml" in summary


def test_ten_problems_are_all_annotated_without_a_notice(
    cli: Run, actions: dict[str, Path]
) -> None:
    for n in range(10):
        Path(f"bad{n}.yaml").write_text(f"integration_id: {IID + n}\ncolour: blue\n")

    found = commands(cli("validate", ".").text)

    assert len(found) == 10
    assert not actions["summary"].exists()


def test_plan_of_an_invalid_file_leaves_has_changes_empty(
    cli: Run, actions: dict[str, Path], api_url: str
) -> None:
    Path("bad.yaml").write_text("integration_id: 0\n")

    assert cli("--api-url", api_url, "plan", "bad.yaml").code == 1

    assert outputs(actions["outputs"]) == {"exit_code": "1", "has_changes": ""}


@pytest.mark.parametrize("command", ["plan", "drift"])
def test_an_integration_that_could_not_be_read_leaves_has_changes_empty(
    cli: Run, actions: dict[str, Path], api_url: str, sim: Simulator, command: str
) -> None:
    sim.replace_state({"integrations": {str(IID): integration({"2": {"en-gb": "x"}}, {})}})
    sim.configure(strict=True)
    Path("in_sync.yaml").write_text(f'integration_id: {IID}\nstatuses:\n  "2": {{en-gb: x}}\n')
    Path("missing.yaml").write_text('integration_id: 999\nstatuses:\n  "2": {en-gb: x}\n')

    assert cli("--api-url", api_url, command, ".").code == 1

    assert outputs(actions["outputs"]) == {"exit_code": "1", "has_changes": ""}


def test_changes_found_next_to_a_failed_read_still_say_true(
    cli: Run, actions: dict[str, Path], api_url: str, sim: Simulator
) -> None:
    sim.replace_state({"integrations": {str(IID): integration({}, {})}})
    sim.configure(strict=True)
    Path("changed.yaml").write_text(f'integration_id: {IID}\nstatuses:\n  "2": {{en-gb: x}}\n')
    Path("missing.yaml").write_text('integration_id: 999\nstatuses:\n  "2": {en-gb: x}\n')

    assert cli("--api-url", api_url, "plan", ".").code == 1

    assert outputs(actions["outputs"])["has_changes"] == "true"


def test_a_file_name_cannot_inject_a_workflow_command(
    cli: Run, actions: dict[str, Path], api_url: str
) -> None:
    directory = Path(f"dir{INJECTED}")
    directory.mkdir()
    (directory / "shop.yaml").write_text("integration_id: 0\n")
    Path("::error::named.yaml").write_text("integration_id: 0\n")

    outcome = cli("--api-url", api_url, "plan", str(directory), "::error::named.yaml")

    assert outcome.code == 1
    found = commands(outcome.text)
    assert len(found) == 2
    assert all(c.startswith("::error file=") for c in found), found


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug-log"])
def test_a_server_detail_cannot_inject_a_workflow_command(
    cli: Run, actions: dict[str, Path], api_url: str, sim: Simulator, debug: list[str]
) -> None:
    detail = f"Bad things{INJECTED}\n  ::warning::indented too"
    body = {"errors": [{"status": "400", "code": "invalid", "detail": detail}]}
    sim.inject(Fault("GET /shop-order-statuses", status=400, json_body=body))
    Path("shop.yaml").write_text(VALID)

    outcome = cli("--api-url", api_url, *debug, "plan", "shop.yaml")

    assert outcome.code == 1
    assert "Bad things" in outcome.text
    assert commands(outcome.text) == []


def test_ansi_escapes_in_names_are_shown_not_obeyed_on_a_terminal(cli: Run) -> None:
    Path("\x1b[31mred\x1b[0m.yaml").write_text("integration_id: 0\n")

    outcome = cli("validate", ".")

    assert "\x1b" not in outcome.text
    assert re.search(r"\\u001b\[31mred\\u001b\[0m\.yaml:1:17: integration_id", outcome.err)
