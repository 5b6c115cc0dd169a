from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import PlanFileError
from reconciler.plan import Plan, live_checksum
from reconciler.planfile import read_plan_file, write_plan_file
from reconciler.render.json import document_checksum, render_json
from tests.render.plans import PLANS, WRITES_PER_MINUTE
from tests.render.test_json import VALIDATOR

API = "https://panel.sendcloud.sc/api/v3"


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    write_plan_file(path, PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE, api_url=API)
    return path


def rewrite(path: Path, edit: Any, *, reseal: bool = True) -> None:
    """Edit the document; with ``reseal`` also fix its checksum, as a careful forger would."""
    document = json.loads(path.read_text())
    edit(document)
    if reseal:
        document["checksum"] = document_checksum(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("name", sorted(PLANS))
def test_round_trip(tmp_path: Path, name: str) -> None:
    plan = PLANS[name]()
    path = tmp_path / "plan.json"
    write_plan_file(path, plan, writes_per_minute=WRITES_PER_MINUTE, api_url=API)
    written = json.loads(path.read_text())
    assert list(VALIDATOR.iter_errors(written)) == []
    assert written.pop("api_url") == API
    rendered = json.loads(render_json(plan, writes_per_minute=WRITES_PER_MINUTE))
    assert {k: v for k, v in written.items() if k != "checksum"} == {
        k: v for k, v in rendered.items() if k != "checksum"
    }
    saved = read_plan_file(path)
    assert saved.plan() == plan
    for entry, item in zip(saved.integrations, plan.integrations, strict=True):
        assert entry.integration_id == item.integration_id
        assert entry.source == item.source
        assert entry.desired == item.desired
        assert entry.live == item.live
        assert entry.live_checksum == item.live_checksum == live_checksum(entry.live)
    assert saved.failures == plan.failures
    assert saved.generator.startswith("reconciler ")
    assert saved.api_url == API
    assert saved.api_url == API


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("old")
    write_plan_file(path, PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE, api_url=API)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    read_plan_file(path)


def test_write_into_a_missing_directory_is_a_plan_file_error(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot write plan file"):
        write_plan_file(tmp_path / "no" / "plan.json", Plan(()), writes_per_minute=100, api_url=API)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="does not exist"):
        read_plan_file(tmp_path / "nope.json")


@pytest.mark.parametrize("content", [b"", b"{not json", b"\xff\xfe", b"[]", b"null"])
def test_corrupt_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(PlanFileError, match="plan file"):
        read_plan_file(path)


@pytest.mark.parametrize("version", [2, 0, "1", None, True])
def test_wrong_format_version(saved: Path, version: object) -> None:
    rewrite(saved, lambda d: d.update(format_version=version))
    with pytest.raises(PlanFileError, match="format_version"):
        read_plan_file(saved)


def test_hand_edited_file_is_refused(saved: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["integrations"][0]["desired"]["mapping"]["READY_TO_SEND"] = "9"

    rewrite(saved, edit, reseal=False)
    with pytest.raises(PlanFileError, match="edited after `plan` wrote it"):
        read_plan_file(saved)


def test_missing_checksum_is_refused(saved: Path) -> None:
    rewrite(saved, lambda d: d.pop("checksum"), reseal=False)
    with pytest.raises(PlanFileError, match="checksum"):
        read_plan_file(saved)


def test_live_state_that_does_not_match_its_checksum(saved: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["integrations"][0]["live"]["statuses"]["2"]["en-gb"] = "Changed"

    rewrite(saved, edit)
    with pytest.raises(PlanFileError, match="does not match its live_checksum"):
        read_plan_file(saved)


def test_changes_that_do_not_follow_from_the_recorded_states(saved: Path) -> None:
    rewrite(saved, lambda d: d["integrations"][0]["changes"].pop())
    with pytest.raises(PlanFileError, match="computes different changes"):
        read_plan_file(saved)


def test_malformed_integration(saved: Path) -> None:
    rewrite(saved, lambda d: d["integrations"][0].pop("desired"))
    with pytest.raises(PlanFileError, match="malformed integration"):
        read_plan_file(saved)


def test_state_for_another_integration(saved: Path) -> None:
    rewrite(saved, lambda d: d["integrations"][0].update(integration_id=999))
    with pytest.raises(PlanFileError, match="another integration"):
        read_plan_file(saved)


def test_duplicate_integration(saved: Path) -> None:
    rewrite(saved, lambda d: d["integrations"].append(d["integrations"][0]))
    with pytest.raises(PlanFileError, match="twice"):
        read_plan_file(saved)


def test_drift_report_is_not_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "drift.json"
    path.write_text(render_json(PLANS["mixed"](), writes_per_minute=100, mode="drift"))
    with pytest.raises(PlanFileError, match="drift report"):
        read_plan_file(path)
