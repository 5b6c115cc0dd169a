"""`snapshot`, `plan --live` (offline, no credentials) and `apply --plan --check-files`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.snapshot import describe_age
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer

SHOP = """\
integration_id: 123
statuses:
  "2":
    en-gb: Paid
  "4":
    en-gb: Shipped
mapping:
  READY_TO_SEND: "2"
  IN_TRANSIT: "4"
  DELIVERED: null
  CANCEL: null
"""
LIVE = integration(
    {"2": {"en-gb": "Paid"}, "4": {"en-gb": "Sent"}},
    {"READY_TO_SEND": "2", "IN_TRANSIT": "4"},
)


@pytest.fixture
def api(live_api: BackgroundServer) -> BackgroundServer:
    Path("integrations").mkdir()
    Path("integrations/shop.yaml").write_text(SHOP, encoding="utf-8")
    seed(live_api, {123: LIVE})
    return live_api


def reconciler(api: BackgroundServer, *args: str) -> int:
    return main(["--api-url", api.base_url, *args])


def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key pair and an API that cannot be reached: anything that calls it fails."""
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY")
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY")
    monkeypatch.setenv("SENDCLOUD_API_URL", "http://127.0.0.1:9/api/v3")


def test_snapshot_holds_live_state_and_no_secret(
    api: BackgroundServer, credentials: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "snapshot", "--out", "snap.json", "--id", "456") == 0
    assert "Snapshot of 2 integrations saved to snap.json." in capsys.readouterr().out
    text = Path("snap.json").read_text(encoding="utf-8")
    assert credentials[0] not in text
    assert credentials[1] not in text
    document = json.loads(text)
    assert document["kind"] == "reconciler-snapshot"
    assert document["api_url"] == api.base_url
    assert [i["integration_id"] for i in document["integrations"]] == [123, 456]
    live = document["integrations"][0]["live"]
    assert live["statuses"]["4"] == {"en-gb": "Sent"}
    taken = datetime.strptime(document["taken_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - taken) < timedelta(minutes=5)


def test_snapshot_writes_nothing_when_a_read_fails(
    api: BackgroundServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", "wrong")
    assert reconciler(api, "snapshot", "--out", "snap.json") == 1
    err = capsys.readouterr().err
    assert "integration 123 (integrations/shop.yaml)" in err
    assert "No snapshot written" in err
    assert not Path("snap.json").exists()


def test_plan_live_needs_no_credentials_and_says_how_old_the_snapshot_is(
    api: BackgroundServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "snapshot", "--out", "snap.json") == 0
    capsys.readouterr()
    offline(monkeypatch)
    code = main(["plan", "--live", "snap.json", "--format", "markdown", "--detailed-exitcode",
                 "--out", "plan.json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 2
    assert out.startswith("> Planned offline against the live-state snapshot taken ")
    assert "(just now)" in out
    assert "## Reconciler plan" in out
    assert "Shipped" in out
    saved = json.loads(Path("plan.json").read_text(encoding="utf-8"))
    assert saved["integrations"][0]["live"]["statuses"]["4"] == {"en-gb": "Sent"}
    assert saved["api_url"] == api.base_url  # the snapshot's API, not this (unreachable) one


def test_plan_live_fails_for_an_integration_not_in_the_snapshot(
    api: BackgroundServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "snapshot", "--out", "snap.json") == 0
    Path("integrations/new.yaml").write_text(
        "integration_id: 789\nmapping: {READY_TO_SEND: null, IN_TRANSIT: null, DELIVERED: null, "
        "CANCEL: null}\n",
        encoding="utf-8",
    )
    offline(monkeypatch)
    assert main(["plan", "--live", "snap.json", "--out", "plan.json", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert "integration 789 (integrations/new.yaml): not in the live-state snapshot" in err
    assert "reconciler snapshot --id 789" in err
    assert not Path("plan.json").exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace('"Sent"', '"Edited"'), "does not match its checksum"),
        (lambda text: text.replace("reconciler-snapshot", "other"), "is not a reconciler snapshot"),
        (lambda text: text[:20], "is not valid JSON"),
    ],
    ids=["edited", "not-a-snapshot", "truncated"],
)
def test_plan_live_refuses_a_damaged_snapshot(
    api: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    edit: object,
    message: str,
) -> None:
    assert reconciler(api, "snapshot", "--out", "snap.json") == 0
    path = Path("snap.json")
    assert callable(edit)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    offline(monkeypatch)
    assert main(["plan", "--live", "snap.json"]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_apply_refuses_a_plan_made_from_other_files(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "plan", "--out", "plan.json") == 0
    shop = Path("integrations/shop.yaml")
    shop.write_text(SHOP.replace("Shipped", "Shipped today"), encoding="utf-8")
    before = api.simulator.store.snapshot()
    code = reconciler(api, "apply", "--plan", "plan.json", "--check-files", "integrations/",
                      "--auto-approve")  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "the files are not the ones the plan plan.json was made from" in err
    assert "integration 123 (integrations/shop.yaml) differs" in err
    assert api.simulator.store.snapshot() == before


def test_apply_accepts_files_that_differ_only_in_comments(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "plan", "--out", "plan.json") == 0
    shop = Path("integrations/shop.yaml")
    shop.write_text("# reviewed\n" + SHOP, encoding="utf-8")
    code = reconciler(api, "apply", "--plan", "plan.json", "--check-files", "integrations/",
                      "--auto-approve")  # fmt: skip
    assert code == 0, capsys.readouterr().err
    statuses = api.simulator.store.snapshot()["integrations"]["123"]["statuses"]
    assert {s["external_id"]: s["translations"][0]["status"] for s in statuses}["4"] == "Shipped"


def test_apply_refuses_a_file_missing_from_the_plan(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "plan", "--out", "plan.json") == 0
    Path("integrations/extra.yaml").write_text(SHOP.replace("123", "124"), encoding="utf-8")
    code = reconciler(api, "apply", "--plan", "plan.json", "--check-files", "integrations/",
                      "--auto-approve")  # fmt: skip
    assert code == 1
    assert "integration 124 (integrations/extra.yaml) is not in the plan" in capsys.readouterr().err


def test_check_files_goes_with_plan(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reconciler(api, "apply", "--check-files", "integrations/", "--auto-approve") == 1
    assert "--check-files goes with --plan FILE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (5, "just now"),
        (60, "1 minute ago"),
        (7_200, "2 hours ago"),
        (90_000, "1 day ago"),
        (-10, "in the future (check the clocks)"),
    ],
)
def test_describe_age(seconds: int, words: str) -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    assert describe_age(now - timedelta(seconds=seconds), now) == words
