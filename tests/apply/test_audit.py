"""The audit trail: every journal line carries its apply id, the tool version and, in GitHub
Actions, where the run came from; ``reconciler journal show`` summarises a journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.audit import audit_from_env
from reconciler.cli import main
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, Run, seed, write_file

PAID = {"en-gb": "Paid"}
SENT = {"en-gb": "Sent"}
GITHUB_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "agency/shops",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    "GITHUB_ACTOR": "alice",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_TOKEN": "ghs_secret-token-never-journaled",
}


def _show(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    """``reconciler journal show ...`` (it takes no API options: it reads only the file)."""
    capsys.readouterr()
    code = main(["journal", "show", *(str(a) for a in args)])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def _in_actions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in GITHUB_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output.txt"))


def test_each_line_names_its_apply_version_and_github_run_and_no_secret(
    cli: Cli,
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    credentials: tuple[str, str],
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    path = write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})
    journal = tmp_path / "apply.jsonl"
    _in_actions(monkeypatch, tmp_path)

    assert cli("apply", path, "--auto-approve", "--journal", journal).code == 0
    write_file(tmp_path, 11, statuses={"1": PAID}, mapping={})
    assert cli("apply", path, "--auto-approve", "--journal", journal).code == 0

    text = journal.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 8
    first, second = {r["apply_id"] for r in records[:4]}, {r["apply_id"] for r in records[4:]}
    assert len(first) == len(second) == 1
    assert first != second
    for record in records:
        assert record["tool_version"] == __version__
        assert record["github"] == {
            "repository": "agency/shops",
            "commit": GITHUB_ENV["GITHUB_SHA"],
            "actor": "alice",
            "run_url": "https://github.com/agency/shops/actions/runs/4242/attempts/2",
        }
    assert GITHUB_ENV["GITHUB_TOKEN"] not in text
    assert credentials[1] not in text
    assert credentials[0] not in text


def test_outside_actions_no_github_fields() -> None:
    audit = audit_from_env({"GITHUB_REPOSITORY": "agency/shops", "GITHUB_TOKEN": "x"})
    assert set(audit.fields()) == {"apply_id", "tool_version"}
    assert audit.apply_id != audit_from_env({}).apply_id


def test_journal_show_summarises_applies_integrations_writes_and_outcomes(
    cli: Cli,
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(sim, {11: ({"1": PAID}, {}), 12: ({"1": PAID}, {})})
    paths = [write_file(tmp_path, i, statuses={"1": PAID, "2": SENT}) for i in (11, 12)]
    journal = tmp_path / "apply.jsonl"
    _in_actions(monkeypatch, tmp_path)
    assert cli("apply", *paths, "--auto-approve", "--journal", journal).code == 0
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    write_file(tmp_path, 12, statuses={"1": PAID})
    sim.inject(Fault("POST /shop-order-statuses", status=422))
    assert cli("apply", paths[1], "--auto-approve", "--journal", journal).code == 1
    first, second = [
        json.loads(lines)["apply_id"]
        for lines in (journal.read_text().splitlines()[0], journal.read_text().splitlines()[-1])
    ]

    text = _show(capsys, journal)

    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert lines[0] == (
        f"Journal {journal}: 2 applies, 2 integrations, 3 writes (2 ok, 1 failed, 0 unknown)."
    )
    assert f"Apply {first} (reconciler {__version__})" in text.out
    assert (
        "  GitHub Actions: agency/shops at 0123456789ab by alice, "
        "run https://github.com/agency/shops/actions/runs/4242/attempts/2"
    ) in lines
    assert "  integration 11: 1 write (statuses: ok)" in lines
    assert f"Apply {second} (reconciler {__version__})" in text.out
    failed = [
        line for line in lines if line.startswith("  integration 12: 1 write (statuses: error")
    ]
    assert len(failed) == 1
    assert "HTTP 422" in failed[0]

    markdown = _show(capsys, journal, "--format", "markdown")
    assert markdown.code == 0
    assert markdown.out.startswith("## Journal ")
    assert markdown.out.count("### Apply ") == 2
    assert "- integration 11: 1 write (statuses: ok)" in markdown.out
    # The run's URL is a link a reader can click or copy: no zero-width joiner, no escape in it.
    url = "https://github.com/agency/shops/actions/runs/4242/attempts/2"
    assert f"GitHub Actions: agency/shops at 0123456789ab by alice, run <{url}>" in markdown.out
    assert "\u200d" not in markdown.out


def test_a_write_without_its_outcome_shows_as_unknown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live = {"integration_id": 5, "statuses": {}, "mapping": {}}
    record = {
        "timestamp": "2026-11-30T10:00:00.000+00:00",
        "integration_id": 5,
        "endpoint": "POST /shop-order-statuses",
        "purpose": "statuses",
        "body": {},
        "live_before": live,
        "result": "sending",
        "apply_id": "abc",
        "tool_version": "0.1.0",
    }
    journal = tmp_path / "crashed.jsonl"
    journal.write_text(json.dumps(record) + "\n", encoding="utf-8")

    run = _show(capsys, journal)

    assert run.code == 0, run.err
    assert "1 write (0 ok, 0 failed, 1 unknown)" in run.out
    assert "integration 5: 1 write (statuses: unknown)" in run.out
