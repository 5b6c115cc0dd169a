"""The journal: written ahead ("sending", then the outcome), whole lines, what was sent and
what was there before; a journal that cannot be written stops the writes."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import FAST_RATES, Cli, live_statuses, seed, write_file, writes
from tests.support.simulator import BackgroundServer

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
    every = [json.loads(line) for line in text.splitlines()]
    # Each write: a "sending" record before it went out, then its outcome.
    assert [r["result"] for r in every] == ["sending", "ok"] * 3
    for ahead, outcome in zip(every[::2], every[1::2], strict=True):
        assert {**ahead, "result": "", "timestamp": ""} == {
            **outcome,
            "result": "",
            "timestamp": "",
        }
    records = every[1::2]
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
    sending, record = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sending["result"] == "sending"
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
    assert [r["integration_id"] for r in records] == [11, 11, 12, 12]


def test_a_journal_that_cannot_be_opened_stops_apply_before_any_write(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    path = write_file(tmp_path, 11, statuses={"1": PAID})
    (tmp_path / "a-file").write_text("")
    journal = tmp_path / "a-file" / "apply.jsonl"

    run = cli("apply", path, "--auto-approve", "--journal", journal)

    assert run.code == 1
    assert f"Error: the journal {journal} cannot be opened for appending (" in run.err
    assert "crashed" not in run.err
    assert writes(sim) == []


def _apply_process(
    tmp_path: Path, base_url: str, credentials: tuple[str, str], *, file_size_limit: int = -1
) -> subprocess.Popen[str]:
    def limit_file_size() -> None:
        # Files past this size cannot grow (EFBIG), as on a full disk; Python ignores SIGXFSZ.
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    env = {**os.environ, "SENDCLOUD_PUBLIC_KEY": credentials[0]}
    env["SENDCLOUD_SECRET_KEY"] = credentials[1]
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "desired.yaml", "--auto-approve",
         "--journal", "apply.jsonl", "--api-url", base_url, *FAST_RATES],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=limit_file_size if file_size_limit >= 0 else None,
    )  # fmt: skip


def test_a_kill_while_sendcloud_answers_leaves_the_sending_record(
    sim: Simulator, tmp_path: Path, simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}, name="desired.yaml")
    # Sendcloud takes the write, then is slow to answer: the process dies meanwhile.
    sim.inject(Fault("POST /shop-order-statuses", action="delay", delay=1.0, after_commit=True))
    process = _apply_process(tmp_path, simulator_server.base_url, credentials)
    try:
        for _ in range(1000):
            if "2" in live_statuses(sim, 11):
                break
            time.sleep(0.01)
        else:
            raise AssertionError("the write never reached the simulator")
    finally:
        process.kill()
        process.communicate()
    assert simulator_server.wait_idle()

    [record] = [json.loads(line) for line in (tmp_path / "apply.jsonl").read_text().splitlines()]
    assert record["result"] == "sending"
    assert record["endpoint"] == "POST /shop-order-statuses"
    assert record["body"] == writes(sim)[0].body


def test_a_journal_that_fills_up_stops_the_writes_and_keeps_whole_lines(
    sim: Simulator, tmp_path: Path, simulator_server: BackgroundServer, credentials: tuple[str, str]
) -> None:
    def scenario() -> None:
        sim.reset()
        seed(sim, {11: ({"1": PAID}, {})})
        (tmp_path / "apply.jsonl").unlink(missing_ok=True)

    write_file(
        tmp_path, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"},
        name="desired.yaml",
    )  # fmt: skip
    scenario()
    full = _apply_process(tmp_path, simulator_server.base_url, credentials)
    assert full.wait(timeout=60) == 0, full.communicate()[1]
    lines = (tmp_path / "apply.jsonl").read_bytes().splitlines(keepends=True)
    assert len(lines) == 4  # statuses and mapping, each sending and ok

    # Room for the first write's two records and half of the next one.
    scenario()
    limit = len(lines[0]) + len(lines[1]) + len(lines[2]) // 2
    short = _apply_process(tmp_path, simulator_server.base_url, credentials, file_size_limit=limit)
    _, err = short.communicate(timeout=60)

    assert short.returncode == 1
    assert "the journal apply.jsonl could not be written (" in err
    assert "it stopped writing to Sendcloud" in err
    assert "this write (mapping) was not sent" in err
    kept = (tmp_path / "apply.jsonl").read_bytes()
    assert kept.endswith(b"\n")
    assert [json.loads(line)["result"] for line in kept.splitlines()] == ["sending", "ok"]
    assert [entry.path for entry in writes(sim)] == ["/shop-order-statuses"]


def test_a_deeply_nested_answer_to_a_committed_write_is_journaled_and_the_others_go_on(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {}), 12: ({"1": PAID}, {})})
    first = write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT})
    second = write_file(tmp_path, 12, statuses={"1": PAID, "2": SENT})
    deep = "[" * 1000 + "]" * 1000
    sim.inject(Fault("POST /shop-order-statuses", status=200, body=deep, after_commit=True))
    journal = tmp_path / "apply.jsonl"

    run = cli("apply", first, second, "--auto-approve", "--journal", journal)

    assert run.code == 1
    assert "crashed" not in run.err
    assert "nested more than 32 levels deep" in run.err
    assert "Apply complete: 1 applied, 0 in sync, 1 failed (1 write)." in run.err
    results = [json.loads(line)["result"] for line in journal.read_text().splitlines()]
    assert sorted(r.partition(":")[0] for r in results) == ["error", "ok", "sending", "sending"]
    [error] = [r for r in results if r.startswith("error: ")]
    assert "nested more than 32 levels deep" in error


def test_a_journal_that_is_a_fifo_is_refused_before_any_write(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    path = write_file(tmp_path, 11, statuses={"1": PAID})
    journal = tmp_path / "apply.jsonl"
    os.mkfifo(journal)

    run = cli("apply", path, "--auto-approve", "--journal", journal)

    assert run.code == 1
    assert "cannot be opened for appending (it is a FIFO (named pipe), not a regular file)" in (
        run.err
    )
    assert writes(sim) == []
