"""An integration that cannot be planned is said once, in words that fit what went wrong."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, seed, write_file, writes

PAID = {"en-gb": "Paid"}


def lines_naming(text: str, integration_id: int) -> list[str]:
    return [line for line in text.splitlines() if f"integration {integration_id}" in line]


def test_an_unreadable_integration_is_said_once_in_text(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    sim.configure(strict=True)  # 12 is unknown: 404, as Sendcloud answers
    paths = [write_file(tmp_path, 11, statuses={"1": PAID}), write_file(tmp_path, 12, mapping={})]

    for command in ("plan", "drift"):
        run = cli(command, *paths)
        assert run.code == 1
        [said] = lines_naming(run.out + run.err, 12)
        assert said.startswith("! integration 12 (")
        assert "could not read live state" in said


def test_with_a_machine_format_on_stdout_the_failure_is_said_on_stderr(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    sim.configure(strict=True)
    run = cli("plan", write_file(tmp_path, 12, mapping={}), "--format", "json")
    assert run.code == 1
    assert json.loads(run.out)["failures"][0]["integration_id"] == 12
    [said] = lines_naming(run.err, 12)
    assert said.startswith("Error: integration 12 (")


def test_a_mapping_only_file_onto_a_missing_status_says_what_is_wrong(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    path = write_file(tmp_path, 11, mapping={"READY_TO_SEND": "1", "CANCEL": "9"})

    for command in ("plan", "apply"):
        run = cli(command, path, "--auto-approve") if command == "apply" else cli(command, path)
        assert run.code == 1
        assert "could not read" not in run.out + run.err
        assert f"{path}:" in run.err  # the located problem, on stderr
        assert "mapping CANCEL points at status '9', which integration 11 does not have" in run.err
        [flagged] = [line for line in run.out.splitlines() if line.startswith("! integration")]
        assert flagged.endswith(
            "not planned: its mapping points at statuses Sendcloud does not have "
            "(CANCEL → '9'); applying it would leave the mapping invalid"
        )
    assert writes(sim) == []
