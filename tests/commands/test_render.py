"""`reconciler render FILE`: the resolved state with the origin of every value."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.config.loader import load_file

BASE = """\
labels: [prestashop]
statuses:
  "2":
    en-gb: Payment accepted
  "4":
    en-gb: Shipped
mapping:
  READY_TO_SEND: "2"
  IN_TRANSIT: "4"
  DELIVERED: null
  CANCEL: null
"""

SHOP = """\
integration_id: 7
extends: ../bases/prestashop.yaml
labels: [tier-1]
statuses:
  "4":
    nl-nl: "Verzonden: \\"snel\\""
mapping:
  DELIVERED: "4"
"""

RENDERED = """\
# shops/seven.yaml, resolved (bases/prestashop.yaml)
# account: (none: the command-line credentials)
# labels: ["prestashop", "tier-1"]
# unmanaged: ["module-*"]
# safety: max_delete_share: 0.3, min_live_statuses: 4, max_integration_share: null
integration_id: 7  # shops/seven.yaml:1
statuses:
  "2":  # bases/prestashop.yaml:3
    en-gb: "Payment accepted"  # bases/prestashop.yaml:4
  "4":  # bases/prestashop.yaml:5
    en-gb: "Shipped"  # bases/prestashop.yaml:6
    nl-nl: "Verzonden: \\"snel\\""  # shops/seven.yaml:6
mapping:
  READY_TO_SEND: "2"  # bases/prestashop.yaml:8
  IN_TRANSIT: "4"  # bases/prestashop.yaml:9
  DELIVERED: "4"  # shops/seven.yaml:8
  CANCEL: null  # bases/prestashop.yaml:11
"""


@pytest.fixture(autouse=True)
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", "."], check=True)
    Path("bases").mkdir()
    Path("shops").mkdir()
    Path("bases/prestashop.yaml").write_text(BASE, encoding="utf-8")
    Path("shops/seven.yaml").write_text(SHOP, encoding="utf-8")
    Path("reconciler.yaml").write_text('defaults:\n  unmanaged: ["module-*"]\n', "utf-8")


def test_yaml_shows_every_value_with_the_file_and_line_that_set_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["render", "shops/seven.yaml"]) == 0

    assert capsys.readouterr().out == RENDERED


def test_the_rendered_yaml_is_a_valid_flat_file_with_the_same_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["render", "shops/seven.yaml"]) == 0
    Path("flat.yaml").write_text(capsys.readouterr().out, encoding="utf-8")

    assert load_file("flat.yaml").state == load_file("shops/seven.yaml").state


def test_json_gives_values_and_origins_in_the_same_shape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["render", "--format", "json", "shops"]) == 0

    [document] = json.loads(capsys.readouterr().out)
    assert document["source"] == "shops/seven.yaml"
    assert document["extends"] == ["bases/prestashop.yaml"]
    assert document["labels"] == ["prestashop", "tier-1"]
    assert document["statuses"]["4"] == {"en-gb": "Shipped", "nl-nl": 'Verzonden: "snel"'}
    assert document["origins"]["statuses"]["4"] == {
        "status": "bases/prestashop.yaml:5",
        "en-gb": "bases/prestashop.yaml:6",
        "nl-nl": "shops/seven.yaml:6",
    }
    assert document["origins"]["mapping"]["DELIVERED"] == "shops/seven.yaml:8"
    assert document["mapping"]["CANCEL"] is None
    assert document["safety"] == {
        "max_delete_share": 0.3, "min_live_statuses": 4, "max_integration_share": None
    }  # fmt: skip


def test_an_invalid_file_is_reported_not_rendered(capsys: pytest.CaptureFixture[str]) -> None:
    Path("shops/seven.yaml").write_text(SHOP.replace("prestashop.yaml", "missing.yaml"), "utf-8")

    assert main(["render", "shops/seven.yaml"]) == 1

    out = capsys.readouterr()
    assert out.out == ""
    assert "shops/seven.yaml:2:10: base '../bases/missing.yaml' does not exist" in out.err
