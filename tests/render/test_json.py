from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from reconciler.plan import Plan, plan_integration
from reconciler.render.json import document_checksum, plan_document, render_json
from reconciler.render.text import render_text
from tests.factories import desired, live
from tests.render.plans import PLANS, WRITES_PER_MINUTE, mixed_integration

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "schemas" / "plan.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", sorted(PLANS))
@pytest.mark.parametrize("mode", ["plan", "drift"])
def test_documents_fit_the_schema(name: str, mode: Any) -> None:
    document = json.loads(
        render_json(PLANS[name](), writes_per_minute=WRITES_PER_MINUTE, mode=mode)
    )
    errors = sorted(VALIDATOR.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_schema_rejects_unknown_fields_and_actions() -> None:
    document = plan_document(PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE)
    assert VALIDATOR.is_valid(document)
    extra = {**document, "secret": "x"}
    assert not VALIDATOR.is_valid(extra)
    change = document["integrations"][0]["changes"][0]
    bad_change = {**change, "action": "explode"}
    broken = json.loads(json.dumps(document))
    broken["integrations"][0]["changes"][0] = bad_change
    assert not VALIDATOR.is_valid(broken)


def test_every_change_kind_in_the_document() -> None:
    document = plan_document(Plan((mixed_integration(),)), writes_per_minute=WRITES_PER_MINUTE)
    item = document["integrations"][0]
    assert [c["action"] for c in item["changes"]] == [
        "update",
        "delete",
        "create",
        "remap",
        "remap",
    ]
    assert item["changes"][0]["translation_changes"][1] == {
        "language": "fr-fr",
        "kind": "add",
        "old": None,
        "new": "Payé",
    }
    assert item["changes"][4] == {"action": "remap", "category": "CANCEL", "old": None, "new": "10"}
    assert [w["endpoint"] for w in item["writes"]] == ["statuses", "mapping", "statuses"]
    assert item["writes"][1]["body"]["mapping"][0] == {
        "status_category": "READY_TO_SEND",
        "external_id": "2",
    }
    assert item["status"] == "changes"
    assert item["live_checksum"].startswith("sha256:")
    assert document["summary"]["writes"] == 3
    assert document["summary"]["write_seconds"] == pytest.approx(1.2)


def test_document_says_everything_the_text_says() -> None:
    plan = PLANS["mixed"]()
    document = plan_document(plan, writes_per_minute=WRITES_PER_MINUTE)
    text = render_text(plan, writes_per_minute=WRITES_PER_MINUTE).plain
    assert document["summary"]["text"] in text
    assert document["summary"]["writes_text"] in text
    assert document["failures"][0]["message"] in text
    for item in document["integrations"]:
        for warning in item["warnings"]:
            assert warning in text
    assert document["has_changes"] is True
    assert document["safe"] is True
    assert PLANS["unsafe"]().is_safe is False
    unsafe = plan_document(PLANS["unsafe"](), writes_per_minute=WRITES_PER_MINUTE)
    assert unsafe["safe"] is False


@pytest.mark.parametrize(
    "name",
    ['quo"te', "new\nline", "nul\u0000byte", "ünï📦", "\\", "</script>"],
)
def test_always_valid_json_whatever_the_text(name: str) -> None:
    item = plan_integration(
        "x.yaml",
        desired({"1": {"en-gb": name}, "2": {"en-gb": "b"}}, integration_id=9),
        live({"1": {"en-gb": "old"}, "2": {"en-gb": "b"}}, integration_id=9),
    )
    text = render_json(Plan((item,)), writes_per_minute=WRITES_PER_MINUTE)
    text.encode("ascii")  # ASCII only: no encoding can mangle it
    document = json.loads(text)
    assert document["integrations"][0]["changes"][0]["translation_changes"][0]["new"] == name
    assert document["integrations"][0]["desired"]["statuses"]["1"]["en-gb"] == name


def test_checksum_covers_the_document() -> None:
    document = plan_document(PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE)
    assert document["checksum"] == document_checksum(document)
    document["integrations"][0]["source"] = "elsewhere.yaml"
    assert document["checksum"] != document_checksum(document)


def test_json_is_deterministic_and_sorted() -> None:
    first = render_json(PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE)
    assert first == render_json(PLANS["mixed"](), writes_per_minute=WRITES_PER_MINUTE)
    assert first.startswith('{\n  "checksum": "sha256:')
    assert first.endswith("}\n")
