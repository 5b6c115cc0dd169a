"""Bases, unmanaged statuses and safety thresholds from the project file, against the simulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reconciler.cli import main
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer

BASE = """\
labels: [prestashop]
statuses:
  "2":
    en-gb: Payment accepted
  "3":
    en-gb: Processing
  "4":
    en-gb: Shipped
mapping:
  READY_TO_SEND: "3"
  IN_TRANSIT: "4"
  DELIVERED: null
  CANCEL: null
"""

SHOP = """\
integration_id: {id}
extends: ../bases/prestashop.yaml
# shop-specific name
statuses:
  "4":
    en-gb: Sent
"""

IN_SYNC_LIVE = {"2": {"en-gb": "Payment accepted"}, "3": {"en-gb": "Processing"}}
MAPPING = {"READY_TO_SEND": "3", "IN_TRANSIT": "4"}


@pytest.fixture
def api(live_api: BackgroundServer) -> BackgroundServer:
    subprocess.run(["git", "init", "-q", "."], check=True)  # the project search stops here
    Path("bases").mkdir()
    Path("integrations").mkdir()
    Path("bases/prestashop.yaml").write_text(BASE, encoding="utf-8")
    return live_api


def reconciler(api: BackgroundServer, *args: str) -> int:
    return main(["--api-url", api.base_url, *args])


def shop(integration_id: int, text: str = SHOP) -> Path:
    path = Path("integrations", f"shop{integration_id}.yaml")
    path.write_text(text.format(id=integration_id), encoding="utf-8")
    return path


def live(api: BackgroundServer, integration_id: int) -> dict[str, object]:
    state = api.simulator.get_state()["integrations"][str(integration_id)]
    assert isinstance(state, dict)
    return state


def live_ids(api: BackgroundServer, integration_id: int) -> list[str]:
    statuses = live(api, integration_id)["statuses"]
    assert isinstance(statuses, list)
    return sorted(s["external_id"] for s in statuses if s["deleted_at"] is None)


def test_plan_names_the_base_line_that_set_each_value(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {1: integration({"2": {"en-gb": "Paid"}, "3": {"en-gb": "Processing"}}, {})})
    shop(1)

    assert reconciler(api, "plan", "integrations") == 0

    out = capsys.readouterr().out
    assert '~ status "2"  (from bases/prestashop.yaml:4)' in out
    assert '+ status "4"\n' in out  # set by the shop's own file: no origin shown
    assert 'READY_TO_SEND: (unmapped) → "3"  (from bases/prestashop.yaml:10)' in out

    assert reconciler(api, "drift", "integrations") == 2
    out = capsys.readouterr().out
    assert '~ status "2"  (from bases/prestashop.yaml:4)' in out


def test_markdown_plan_names_the_base_too(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {1: integration({"2": {"en-gb": "Paid"}, "3": {"en-gb": "Processing"}}, {})})
    shop(1)

    assert reconciler(api, "plan", "--format", "markdown", "integrations") == 0

    out = capsys.readouterr().out
    assert '~ status "2"  (from bases/prestashop.yaml:4)' in out
    assert "| READY_TO_SEND | *(unmapped)* | 3 (from `bases/prestashop.yaml:10`) |" in out


def test_unmanaged_statuses_are_carried_over_listed_and_never_deleted(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("reconciler.yaml").write_text('defaults:\n  unmanaged: ["module-*"]\n', "utf-8")
    module = {"module-pay": {"en-gb": "Paid by module"}, "module-x": {"en-gb": "X"}}
    seed(api, {1: integration({**IN_SYNC_LIVE, **module}, MAPPING)})
    shop(1)

    assert reconciler(api, "plan", "integrations") == 0
    out = capsys.readouterr().out
    assert 'unmanaged, kept as they are: "module-pay", "module-x"' in out
    assert "module-pay" not in out.replace('"module-pay", "module-x"', "")
    assert "Plan: 1 status to create across 1 integration (0 unchanged)." in out

    assert reconciler(api, "apply", "--auto-approve", "integrations") == 0
    assert live_ids(api, 1) == ["2", "3", "4", "module-pay", "module-x"]


def test_drift_ignores_changes_to_unmanaged_statuses(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("integrations/shop1.yaml").write_text(
        'integration_id: 1\nunmanaged: ["12"]\nstatuses:\n  "2": {en-gb: Paid}\n', "utf-8"
    )
    seed(api, {1: integration({"2": {"en-gb": "Paid"}, "12": {"en-gb": "Renamed live"}}, {})})

    assert reconciler(api, "drift", "integrations") == 0

    assert "Drift: no differences from git across 1 integration." in capsys.readouterr().out


def test_the_mapping_may_point_at_an_unmanaged_status_checked_live(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("reconciler.yaml").write_text('defaults:\n  unmanaged: ["module-*"]\n', "utf-8")
    text = SHOP + "mapping:\n  CANCEL: module-cancel\n"
    shop(1, text)
    assert main(["validate", "integrations"]) == 0
    capsys.readouterr()

    seed(api, {1: integration({**IN_SYNC_LIVE, "4": {"en-gb": "Sent"}}, MAPPING)})
    assert reconciler(api, "plan", "integrations") == 1
    err = capsys.readouterr().err
    assert "mapping CANCEL points at status 'module-cancel', which integration 1 does not" in err

    cancel = {"module-cancel": {"en-gb": "Cancelled by module"}}
    seed(api, {1: integration({**IN_SYNC_LIVE, "4": {"en-gb": "Sent"}, **cancel}, MAPPING)})
    assert reconciler(api, "apply", "--auto-approve", "integrations") == 0
    mapping = live(api, 1)["mapping"]
    assert isinstance(mapping, dict)
    assert mapping["CANCEL"] == "module-cancel"
    assert live_ids(api, 1) == ["2", "3", "4", "module-cancel"]


def test_delete_threshold_comes_from_the_project_file_and_the_file(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = {str(n): {"en-gb": f"Old {n}"} for n in (20, 21)}
    seed(api, {1: integration({**IN_SYNC_LIVE, "4": {"en-gb": "Sent"}, **extra}, MAPPING)})
    shop(1)  # deletes 2 of 5 live statuses: 40 %, unsafe at the built-in 30 %
    assert reconciler(api, "plan", "integrations") == 0
    assert "unsafe: deletes 2 of 5 live statuses (more than 30%)" in capsys.readouterr().out

    Path("reconciler.yaml").write_text("defaults:\n  safety: {max_delete_share: 0.5}\n", "utf-8")
    assert reconciler(api, "plan", "integrations") == 0
    assert "unsafe" not in capsys.readouterr().out.lower()

    shop(1, SHOP + "safety:\n  max_delete_share: 0.2\n")
    assert reconciler(api, "apply", "--auto-approve", "integrations") == 1
    assert "deletes 2 of 5 live statuses (more than 20%)" in capsys.readouterr().out
    assert live_ids(api, 1) == ["2", "20", "21", "3", "4"]


def test_integration_share_threshold_makes_a_wide_change_deliberate(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("reconciler.yaml").write_text(
        "defaults:\n  safety: {max_integration_share: 0.5}\n", "utf-8"
    )
    paid = {"2": {"en-gb": "Paid"}, "3": {"en-gb": "Processing"}, "4": {"en-gb": "Sent"}}
    seed(api, {i: integration(paid, MAPPING) for i in (1, 2, 3)})
    for i in (1, 2, 3):
        shop(i)  # the base renames status 2 in all three shops: 100 % of the integrations

    assert reconciler(api, "apply", "--auto-approve", "integrations") == 1
    out = capsys.readouterr().out
    assert "the plan changes 3 of 3 integrations (more than 50%" in out
    assert all(live_ids(api, i) == ["2", "3", "4"] for i in (1, 2, 3))
    texts = live(api, 1)["statuses"]
    assert isinstance(texts, list)
    assert texts[0]["translations"] == [{"language": "en-gb", "status": "Paid"}]

    assert reconciler(api, "apply", "--auto-approve", "--force", "integrations") == 0


def test_the_integration_share_of_a_targeted_plan_counts_the_whole_account(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("reconciler.yaml").write_text(
        "defaults:\n  safety: {max_integration_share: 0.5}\n", "utf-8"
    )
    paid = {"2": {"en-gb": "Paid"}, "3": {"en-gb": "Processing"}, "4": {"en-gb": "Sent"}}
    seed(api, {i: integration(paid, MAPPING) for i in (1, 2, 3, 4)})
    for i in (1, 2, 3, 4):
        shop(i)

    assert reconciler(api, "apply", "--auto-approve", "--only", "1", "integrations") == 0

    assert "max_integration_share" not in capsys.readouterr().out  # 1 of 4: 25 %
    texts = live(api, 1)["statuses"]
    assert isinstance(texts, list)
    assert texts[0]["translations"] == [{"language": "en-gb", "status": "Payment accepted"}]


def test_adopt_writes_an_override_into_the_shops_own_file_never_the_base(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = {**IN_SYNC_LIVE, "2": {"en-gb": "Paid (live)"}, "4": {"en-gb": "Sent live"}}
    seed(api, {1: integration(renamed, {**MAPPING, "CANCEL": "3"})})
    path = shop(1)

    assert reconciler(api, "adopt", "integrations") == 0

    assert Path("bases/prestashop.yaml").read_text("utf-8") == BASE
    out = capsys.readouterr().out
    assert (
        'status "2" en-gb was "Payment accepted", now "Paid (live)" (override here; was set in '
        "bases/prestashop.yaml:4)" in out
    )
    assert 'status "4" en-gb was "Sent", now "Sent live" (in this file)' in out
    assert (
        'mapping CANCEL was unmapped, now "3" (override here; was set in bases/prestashop.yaml:13)'
        in out
    )
    assert path.read_text("utf-8") == SHOP.format(id=1).replace("Sent", "Sent live") + (
        '  "2":\n    en-gb: Paid (live)\nmapping:\n  CANCEL: "3"\n'
    )
    assert reconciler(api, "plan", "--detailed-exitcode", "integrations") == 0


def test_adopt_removes_a_base_status_gone_live_with_null(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {1: integration({"2": {"en-gb": "Payment accepted"}, "4": {"en-gb": "Sent"}},
                              {"IN_TRANSIT": "4"})})  # fmt: skip
    path = shop(1)

    assert reconciler(api, "adopt", "integrations") == 0

    assert '"3": null' in path.read_text("utf-8") or "'3': null" in path.read_text("utf-8")
    capsys.readouterr()
    assert main(["render", "--format", "json", str(path)]) == 0
    document = json.loads(capsys.readouterr().out)[0]
    assert sorted(document["statuses"]) == ["2", "4"]
    assert document["mapping"]["READY_TO_SEND"] is None


def test_a_saved_plan_carries_unmanaged_statuses_over_and_judges_them_as_reviewed(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("reconciler.yaml").write_text('defaults:\n  unmanaged: ["module-*"]\n', "utf-8")
    module = {f"module-{n}": {"en-gb": f"Module {n}"} for n in range(6)}
    old = {"20": {"en-gb": "Old"}, "21": {"en-gb": "Older"}}
    seed(api, {1: integration({**IN_SYNC_LIVE, "4": {"en-gb": "Sent"}, **old, **module}, MAPPING)})
    shop(1)  # deletes 2 of 5 managed statuses: 40 %, unsafe (of all 11 live it would be 18 %)

    assert reconciler(api, "plan", "--out", "plan.json", "integrations") == 0
    assert "unsafe: deletes 2 of 5 live statuses" in capsys.readouterr().out
    saved = json.loads(Path("plan.json").read_text("utf-8"))["integrations"][0]
    assert saved["unmanaged"] == [f"module-{n}" for n in range(6)]

    assert reconciler(api, "apply", "--plan", "plan.json", "--auto-approve") == 1
    assert "deletes 2 of 5 live statuses" in capsys.readouterr().out
    assert reconciler(api, "apply", "--plan", "plan.json", "--auto-approve", "--force") == 0
    assert live_ids(api, 1) == ["2", "3", "4", *(f"module-{n}" for n in range(6))]


def test_import_leaves_unmanaged_statuses_out_and_may_map_onto_them(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("reconciler.yaml").write_text('defaults:\n  unmanaged: ["module-*"]\n', "utf-8")
    cancel = {"module-cancel": {"en-gb": "Cancelled by module"}}
    statuses = {**IN_SYNC_LIVE, "4": {"en-gb": "Sent"}, **cancel}
    seed(api, {5: integration(statuses, {**MAPPING, "CANCEL": "module-cancel"})})

    assert reconciler(api, "import", "5") == 0

    text = Path("integrations/5.yaml").read_text("utf-8")
    assert "Cancelled by module" not in text
    assert 'CANCEL: "module-cancel"' in text
    assert "Wrote integrations/5.yaml: integration 5, 3 statuses, 3 of 4 categories mapped." in (
        capsys.readouterr().out
    )
    assert main(["validate", "integrations"]) == 0
    assert reconciler(api, "plan", "--detailed-exitcode", "integrations") == 0
