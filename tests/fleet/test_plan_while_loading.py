"""An untargeted plan reads while the files load (`reconciler.pipeline`): what the user sees
stays what a plan that loads everything first shows, and a problem only the whole fleet reveals
still stops it before any plan is printed or saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import main
from tests.fleet.support import SHOP, Fleet, ids_seen


def _write(path: Path, integration_id: int, paid: str = "Paid") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SHOP.format(id=integration_id, paid=paid, labels=""), encoding="utf-8")


def test_a_duplicate_found_in_the_last_file_stops_the_plan_before_anything_is_printed(
    fleet: Fleet,
) -> None:
    for i in range(1, 13):
        fleet.shop("nl", i)
    fleet.seed(fleet.nl, list(range(1, 13)))
    # Sorted last, so loaded last: integrations 1-12 are being read by then.
    _write(fleet.root / "integrations" / "nl" / "zz-late.yaml", 3, paid="Paid twice")

    code, out, err = fleet.run("plan", "--out", "plan.json", "integrations/")

    assert code == 1
    assert out == ""  # no plan from a partly valid fleet
    assert "integrations/nl/zz-late.yaml:1:1: integration 3 is already defined in " in err
    assert err.rstrip().endswith("1 problem in 1 file.")
    assert not (fleet.root / "plan.json").exists()


def test_a_file_that_is_neither_integration_nor_extended_base_stops_the_plan(
    fleet: Fleet,
) -> None:
    for i in (1, 2):
        fleet.shop("nl", i)
    fleet.seed(fleet.nl, [1, 2])
    stray = fleet.root / "integrations" / "nl" / "zz-stray.yaml"
    stray.write_text("statuses:\n  '1': {en-gb: Paid}\n", encoding="utf-8")

    code, out, err = fleet.run("plan", "--format", "json", "integrations/")

    assert code == 1
    assert out == ""
    assert "integrations/nl/zz-stray.yaml:1:1: missing integration_id" in err


def test_the_plan_does_not_depend_on_the_order_files_load_or_reads_finish(fleet: Fleet) -> None:
    # File names sort in another order than the ids: loading (and reading) goes by file name,
    # the plan by integration id.
    names = {"a": 9, "b": 2, "c": 14, "d": 5}
    for name, integration_id in names.items():
        _write(fleet.root / "integrations" / "nl" / f"{name}.yaml", integration_id, "Paid now")
    for integration_id in (31, 22):
        fleet.shop("be", integration_id, paid="Betaald")
    fleet.seed(fleet.nl, sorted(names.values()))
    fleet.seed(fleet.be, [22, 31])

    code, streamed, _ = fleet.run("plan", "--format", "json", "integrations/")
    # Targeted, the files are all loaded before the first read: the reference order.
    _, loaded_first, _ = fleet.run(
        "plan", "--format", "json", "--only", "account:agency-nl", "--only", "account:agency-be",
        "integrations/",
    )  # fmt: skip

    assert code == 2 or code == 0
    document = json.loads(streamed)
    reference = json.loads(loaded_first)
    # (The checksum differs: it covers the selection, which records the --only.)
    for key in ("integrations", "failures", "summary"):
        assert document[key] == reference[key]
    assert [i["integration_id"] for i in document["integrations"]] == [2, 5, 9, 14, 22, 31]
    # The share of changed integrations is measured against every file of the account.
    sizes = {i["integration_id"]: i["account_size"] for i in document["integrations"]}
    assert sizes == {2: 4, 5: 4, 9: 4, 14: 4, 22: 2, 31: 2}
    assert ids_seen(fleet.nl) == set(names.values())


def test_text_report_is_byte_for_byte_the_same_on_every_run(fleet: Fleet) -> None:
    for i in (7, 3, 12, 1):
        fleet.shop("nl", i, paid=f"Paid {i}")
    fleet.shop("be", 20, paid="Betaald")
    fleet.seed(fleet.nl, [1, 3, 7, 12])
    fleet.seed(fleet.be, [20])

    outputs = {fleet.run("plan", "integrations/")[1] for _ in range(3)}

    assert len(outputs) == 1
    text = outputs.pop()
    lines = [line for line in text.splitlines() if line.startswith("~ integration")]
    assert [line.split()[2] for line in lines] == ["20", "1", "3", "7", "12"]


def test_invalid_files_are_reported_before_missing_credentials_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No project file and no key pair: the key pair is missing for the whole run, but the
    # files are wrong too, and they are what the user is told about.
    monkeypatch.chdir(tmp_path)
    for name in ("SENDCLOUD_PUBLIC_KEY", "SENDCLOUD_SECRET_KEY", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    _write(tmp_path / "shops" / "1.yaml", 1)
    (tmp_path / "shops" / "2.yaml").write_text("integration_id: two\n", encoding="utf-8")

    code = main(["plan", "shops/"])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert "shops/2.yaml:1:17: " in err
    assert "SENDCLOUD_PUBLIC_KEY" not in err

    (tmp_path / "shops" / "2.yaml").unlink()
    code = main(["plan", "shops/"])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.count("SENDCLOUD_PUBLIC_KEY") >= 1
    assert err.count("\n") == 1  # one error for the run, not one per integration
