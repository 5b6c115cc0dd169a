"""The journal: one JSON line per write, with what was sent and what was there before."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, seed, write_file, writes

PAID = {"en-gb": "Paid"}
SENT = {"en-gb": "Sent"}


def test_one_line_per_write_with_body_live_state_result_and_time(
    cli: Cli, sim: Simulator, tmp_path: Path, credentials: tuple[str, str]
) -> None:
    seed(sim, {11: ({"1": PAID, "3": SENT}, {"IN_TRANSIT": "3"})})
    path = write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})
    journal = tmp_path / "logs" / "apply.jsonl"

    assert cli("apply", path, "--auto-approve", "--journal", journal).code == 0

    text = journal.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    sent = writes(sim)
    assert len(records) == len(sent) == 3
    for record, entry in zip(records, sent, strict=True):
        assert record["integration_id"] == 11
        assert record["endpoint"] == f"POST {entry.path}"
        assert record["body"] == entry.body
        assert record["result"] == "ok"
        assert datetime.fromisoformat(record["timestamp"]).tzinfo is not None
        # The live state apply read just before this integration's first write.
        assert record["live_before"]["statuses"] == {"1": PAID, "3": SENT}
        assert record["live_before"]["mapping"]["IN_TRANSIT"]["external_id"] == "3"
    assert [r["purpose"] for r in records] == [
        "statuses, keeping '3' until the mapping moves off",
        "mapping",
        "final statuses",
    ]
    assert credentials[1] not in text


def test_a_failed_write_is_journaled_with_its_error(
    cli: Cli, sim: Simulator, tmp_path: Path, credentials: tuple[str, str]
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    path = write_file(tmp_path, 11, statuses={"1": PAID}, mapping={"READY_TO_SEND": "1"})
    journal = tmp_path / "apply.jsonl"
    sim.inject(Fault("POST /shop-order-statuses/mapping", status=500))

    run = cli("apply", path, "--auto-approve", "--journal", journal)

    assert run.code == 1
    [record] = [json.loads(line) for line in journal.read_text().splitlines()]
    assert record["endpoint"] == "POST /shop-order-statuses/mapping"
    assert record["result"].startswith("error: ")
    assert "HTTP 500" in record["result"]
    assert credentials[1] not in journal.read_text()


def test_the_journal_is_appended_to(cli: Cli, sim: Simulator, tmp_path: Path) -> None:
    journal = tmp_path / "apply.jsonl"
    first = write_file(tmp_path, 11, statuses={"1": PAID})
    second = write_file(tmp_path, 12, statuses={"1": PAID})

    assert cli("apply", first, "--auto-approve", "--journal", journal).code == 0
    assert cli("apply", second, "--auto-approve", "--journal", journal).code == 0

    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [r["integration_id"] for r in records] == [11, 12]
