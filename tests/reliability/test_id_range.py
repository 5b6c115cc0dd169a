"""One integration id range (1 to 2**63 - 1, Sendcloud's 64-bit ids) for files and the simulator.

A file with an id the simulator could store but not load back broke the sandbox for every
later command; now validate refuses it and the simulator answers 400, as for any bad id.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from reconciler.cli import main
from reconciler.model import MAX_INTEGRATION_ID
from reconciler.simulator.state import SimulatorState
from tests.support.simulator import BackgroundServer

MAPPING_ONLY = "mapping: {READY_TO_SEND: null, IN_TRANSIT: null, DELIVERED: null, CANCEL: null}\n"


def test_validate_refuses_an_id_above_the_range_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(f"integration_id: {MAX_INTEGRATION_ID + 1}\n{MAPPING_ONLY}")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    expected = f"integration_id must be a whole number above 0, not {MAX_INTEGRATION_ID + 1}"
    assert f"big.yaml:1:17: {expected}" in err


def test_the_largest_id_survives_the_sandbox_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("top.yaml").write_text(f"integration_id: {MAX_INTEGRATION_ID}\n{MAPPING_ONLY}")
    for _ in range(2):  # the second run loads the state the first one saved
        assert main(["--sandbox", "--sandbox-state", "s.json", "plan", "top.yaml"]) == 0
    assert "no changes across 1 integration" in capsys.readouterr().out
    saved = json.loads(Path("s.json").read_text())
    assert str(MAX_INTEGRATION_ID) in saved["integrations"]


@pytest.mark.parametrize("key", [str(MAX_INTEGRATION_ID + 1), "0", "99999999999999999999"])
def test_a_state_with_an_id_out_of_range_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="expected a numeric key"):
        SimulatorState.from_json({"integrations": {key: {"statuses": [], "mapping": {}}}})


def test_the_simulator_answers_400_above_the_range(
    simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    answer = httpx.get(
        f"{simulator_server.base_url}/shop-order-statuses",
        params={"integration_id": str(MAX_INTEGRATION_ID + 1)},
        auth=credentials,
    )
    assert answer.status_code == 400
    assert "less than or equal to" in answer.text
    assert simulator_server.simulator.get_state()["integrations"] == {}


def test_a_read_only_sandbox_state_is_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("one.yaml").write_text(f"integration_id: 5\n{MAPPING_ONLY}")
    Path("ro.json").write_text('{"integrations": {}}')
    Path("ro.json").chmod(0o444)
    assert main(["--sandbox", "--sandbox-state", "ro.json", "plan", "one.yaml"]) == 1
    err = capsys.readouterr().err
    assert "ro.json:1:1: the sandbox state file is read-only" in err
    assert "crashed" not in err
