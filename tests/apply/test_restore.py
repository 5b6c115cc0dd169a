"""``reconciler restore --journal FILE``: back to the state before an apply, verified by reading
Sendcloud back; refused over a live state someone changed since."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.apply.support import (
    Cli,
    assert_mapping_always_valid,
    live_mapping,
    live_statuses,
    seed,
    write_file,
    write_paths,
)

PAID = {"en-gb": "Paid", "nl-nl": "Betaald"}
SENT = {"en-gb": "Sent"}
CANCELLED = {"en-gb": "Cancelled"}
RETURNED = {"en-gb": "Returned"}
STATE_A = {"1": PAID, "2": SENT, "3": CANCELLED}
MAPPING_A = {"READY_TO_SEND": "1", "IN_TRANSIT": "2", "CANCEL": "3"}


def _apply_a_to_b(cli: Cli, sim: Simulator, tmp_path: Path) -> Path:
    """Seed A, apply B (renames '1', deletes '2' and '3', adds '4', remaps); the journal."""
    seed(sim, {11: (STATE_A, MAPPING_A)})
    path = write_file(
        tmp_path,
        11,
        statuses={"1": {"en-gb": "Paid!"}, "4": RETURNED},
        mapping={"READY_TO_SEND": "1", "IN_TRANSIT": "4"},
    )
    journal = tmp_path / "apply.jsonl"
    run = cli("apply", path, "--auto-approve", "--journal", journal)
    assert run.code == 0, run.err
    assert live_statuses(sim, 11) == {"1": {"en-gb": "Paid!"}, "4": RETURNED}
    return journal


def _soft_deleted(sim: Simulator, integration_id: int) -> set[str]:
    statuses = sim.get_state()["integrations"][str(integration_id)]["statuses"]
    return {s["external_id"] for s in statuses if s["deleted_at"] is not None}


def test_restore_round_trips_statuses_soft_deleted_statuses_and_mapping(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    journal = _apply_a_to_b(cli, sim, tmp_path)
    assert _soft_deleted(sim, 11) == {"2", "3"}
    saved = tmp_path / "restore.json"

    planned = cli("restore", "--journal", journal, "--out", saved)

    assert planned.code == 0, planned.err
    # On stderr (stdout holds only the report, so --format json stays a JSON document), as a
    # command that works as shown: it repeats the --api-url the plan was made against.
    assert (
        f"Restore plan saved to {saved}; apply it with: reconciler --api-url {cli.base_url} "
        f"apply --plan {saved}\n"
    ) in planned.err
    for line in ('+ status "2"', '+ status "3"', '- status "4"', 'IN_TRANSIT: "4" → "2"'):
        assert line in planned.out
    assert "apply.jsonl apply " in planned.out  # each line names the journal and the apply
    sim.log.clear()
    applied = cli("apply", "--plan", saved, "--auto-approve")
    assert applied.code == 0, applied.err
    # Read back: exactly A again; '2' and '3' revived, '4' (added by the apply) soft-deleted.
    assert live_statuses(sim, 11) == STATE_A
    assert live_mapping(sim, 11) == {**MAPPING_A, "DELIVERED": None}
    assert _soft_deleted(sim, 11) == {"4"}
    # Reference-safe: the statuses the mapping will point at exist before the mapping moves,
    # and '4' is removed only once the mapping is off it.
    assert write_paths(sim, 11) == [
        "/shop-order-statuses",
        "/shop-order-statuses/mapping",
        "/shop-order-statuses",
    ]
    assert_mapping_always_valid(sim)
    # A second restore of the same apply finds nothing to do.
    again = cli("restore", "--journal", journal)
    assert again.code == 0, again.err
    assert "stale" not in again.err


def test_restore_is_refused_over_a_live_state_changed_since(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    journal = _apply_a_to_b(cli, sim, tmp_path)
    # Someone renames a status by hand after the apply.
    other = write_file(
        tmp_path,
        11,
        statuses={"1": {"en-gb": "Paid by hand"}, "4": RETURNED},
        mapping={"READY_TO_SEND": "1", "IN_TRANSIT": "4"},
        name="other.yaml",
    )
    assert cli("apply", other, "--auto-approve").code == 0
    saved = tmp_path / "restore.json"

    refused = cli("restore", "--journal", journal, "--out", saved)

    assert refused.code == 1
    # Said once, in the report's line for the integration.
    [line] = [line for line in refused.out.splitlines() if "integration 11" in line]
    assert "not planned: Sendcloud changed since this apply" in line  # it was read fine
    assert '"Paid!"' in line
    assert '"Paid by hand"' in line
    assert "--force" in line
    assert f"Error: no restore plan saved to {saved}: integration 11 refused" in refused.err
    assert not saved.exists()
    assert live_statuses(sim, 11)["1"] == {"en-gb": "Paid by hand"}

    forced = cli("restore", "--journal", journal, "--out", saved, "--force")
    assert forced.code == 0, forced.err
    assert cli("apply", "--plan", saved, "--auto-approve").code == 0
    assert live_statuses(sim, 11) == STATE_A


def test_restore_renders_json_and_markdown_and_selects_integrations(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {}), 12: ({"1": PAID}, {})})
    paths = [write_file(tmp_path, i, statuses={"1": PAID, "2": SENT}) for i in (11, 12)]
    journal = tmp_path / "apply.jsonl"
    assert cli("apply", *paths, "--auto-approve", "--journal", journal).code == 0

    as_json = cli("restore", "--journal", journal, "--only", "12", "--format", "json")
    assert as_json.code == 0, as_json.err
    document = json.loads(as_json.out)
    [integration] = document["integrations"]
    assert integration["integration_id"] == 12
    assert integration["desired"]["statuses"] == {"1": PAID}
    saved = tmp_path / "restore.json"
    with_out = cli("restore", "--journal", journal, "--format", "json", "--out", saved)
    assert with_out.code == 0, with_out.err
    assert json.loads(with_out.out)["integrations"]  # stdout stays one JSON document
    assert "apply it with: " in with_out.err
    markdown = cli("restore", "--journal", journal, "--format", "markdown")
    assert markdown.code == 0
    # Identical change sets are grouped once: the members are listed by id and file.
    assert "**2 integrations: " in markdown.out
    assert "<summary>Members (2)</summary>" in markdown.out
    assert "11 (" in markdown.out
    assert "12 (" in markdown.out

    unknown = cli("restore", "--journal", journal, "--only", "99")
    assert unknown.code == 1
    assert "did not write to integration 99" in unknown.err
    excluded = cli("restore", "--journal", journal, "--exclude", "id:11", "--format", "json")
    assert excluded.code == 0, excluded.err
    document = json.loads(excluded.out)
    assert [i["integration_id"] for i in document["integrations"]] == [12]
    assert document["selection"]["criteria"] == ["--exclude id:11"]
    # The journal records ids and accounts, not labels or files: anything else is refused.
    for selector in ("label:tier-1", "integrations/*.yaml", "tier-1"):
        refused = cli("restore", "--journal", journal, "--only", selector)
        assert refused.code == 1
        assert refused.err.count("\n") == 1
        assert f"--only {selector!r}: restore selects by what the journal records" in refused.err
    nothing = cli("restore", "--journal", journal, "--only", "11", "--exclude", "11")
    assert nothing.code == 1
    assert "--only/--exclude leave no integration of apply " in nothing.err
    no_such = cli("restore", "--journal", journal, "--apply-id", "nope")
    assert no_such.code == 1
    assert "no apply in the journal match --apply-id 'nope'" in no_such.err


def test_restore_to_files_rewrites_the_file_keeping_comments(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID, "2": SENT}, {"IN_TRANSIT": "2"})})
    shop = tmp_path / "shops"
    shop.mkdir()
    path = shop / "shop.yaml"
    path.write_text(
        "# The Amsterdam shop\n"
        "integration_id: 11\n"
        "statuses:\n"
        '  "1":\n'
        "    en-gb: Paid  # keep this wording\n"
        "    nl-nl: Betaald\n"
        "mapping:\n"
        "  READY_TO_SEND: null\n"
        "  IN_TRANSIT: null\n"
        "  DELIVERED: null\n"
        "  CANCEL: null\n",
        encoding="utf-8",
    )
    journal = tmp_path / "apply.jsonl"
    assert cli("apply", path, "--auto-approve", "--journal", journal).code == 0
    assert live_statuses(sim, 11) == {"1": PAID}

    run = cli("restore", "--journal", journal, "--to-files", shop)

    assert run.code == 0, run.err
    assert "Restored 1 file to the state before the apply." in run.out
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# The Amsterdam shop\n")
    assert "# keep this wording" in text
    assert "Sent" in text
    assert "IN_TRANSIT: '2'" in text.replace('"', "'")
    # The files now describe the state before the apply: planning them shows the way back.
    plan = cli("plan", shop, "--detailed-exitcode")
    assert plan.code == 2
    assert cli("apply", shop, "--auto-approve").code == 0
    assert live_statuses(sim, 11) == {"1": PAID, "2": SENT}
    assert live_mapping(sim, 11)["IN_TRANSIT"] == "2"


def test_a_journal_that_is_not_one_is_refused_on_one_line(cli: Cli, tmp_path: Path) -> None:
    journal = tmp_path / "apply.jsonl"
    journal.write_text('{"integration_id": 1}\n', encoding="utf-8")

    run = cli("restore", "--journal", journal)

    assert run.code == 1
    assert run.err.count("\n") == 1
    assert f"journal {journal} line 1: not a journal record" in run.err


def test_a_write_whose_outcome_is_uncertain_does_not_make_the_restore_stale(
    cli: Cli, sim: Simulator, tmp_path: Path
) -> None:
    seed(sim, {11: ({"1": PAID}, {})})
    path = write_file(tmp_path, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})
    journal = tmp_path / "apply.jsonl"
    # Sendcloud takes the mapping write but the answer is lost: apply reports a failure.
    sim.inject(Fault("POST /shop-order-statuses/mapping", status=500, after_commit=True, times=100))
    assert cli("apply", path, "--auto-approve", "--journal", journal).code == 1
    sim.faults.clear()
    assert live_mapping(sim, 11)["IN_TRANSIT"] == "2"

    saved = tmp_path / "restore.json"
    run = cli("restore", "--journal", journal, "--out", saved)

    assert run.code == 0, run.out + run.err
    assert cli("apply", "--plan", saved, "--auto-approve").code == 0
    assert live_statuses(sim, 11) == {"1": PAID}
    assert live_mapping(sim, 11)["IN_TRANSIT"] is None


def test_the_apply_command_restore_suggests_works_as_shown_in_the_sandbox(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --sandbox and a non-default --sandbox-state, the suggested apply needs both: the
    hint carries them, and running it (confirmed, as a user would at the prompt) restores."""
    for name in ("SENDCLOUD_PUBLIC_KEY", "SENDCLOUD_SECRET_KEY", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    sandbox = ("--sandbox", "--sandbox-state", "state dir/shop.json")
    shop = workdir / "shop"
    shop.mkdir()
    before = write_file(
        workdir, 11, statuses={"1": PAID}, mapping={"READY_TO_SEND": "1"}, name="before.yaml"
    )
    assert main([*sandbox, "apply", "--auto-approve", str(before)]) == 0
    write_file(shop, 11, statuses={"1": PAID, "2": SENT}, mapping={"IN_TRANSIT": "2"})
    assert main([*sandbox, "apply", "--auto-approve", "--journal", "j.jsonl", str(shop)]) == 0
    capsys.readouterr()

    assert main([*sandbox, "restore", "--journal", "j.jsonl", "--out", "restore.json"]) == 0

    hint = capsys.readouterr().err.splitlines()[-1]
    command = hint.split("apply it with: ", 1)[1]
    assert command == (
        "reconciler --sandbox --sandbox-state 'state dir/shop.json' apply --plan restore.json"
    )
    assert main([*shlex.split(command)[1:], "--auto-approve"]) == 0, capsys.readouterr()
    assert main([*sandbox, "plan", "--detailed-exitcode", str(before)]) == 0  # back to before
    # Without the sandbox options the same plan file is refused, saying what to give.
    assert main(["apply", "--plan", "restore.json", "--auto-approve"]) == 1
    assert "apply it with the same --api-url (or --sandbox and" in capsys.readouterr().err
