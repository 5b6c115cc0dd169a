"""The example agency fleet: valid, every file checkable in an editor, shops in two accounts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler.config.loader import load_fleet

FLEET = Path(__file__).resolve().parents[2] / "examples" / "fleet"
FILES = sorted(FLEET.rglob("*.yaml"))
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(FLEET)) for p in FILES])
def test_each_file_names_its_schema_and_follows_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = MODELINE.match(text.splitlines()[0])
    assert match, f"{path} does not start with a schema modeline"
    schema_path = (path.parent / match.group(1)).resolve()
    kind = {"reconciler.yaml": "project"}.get(
        path.name, "base" if "bases" in path.parts else "integration"
    )
    assert schema_path.name == f"{kind}.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(YAML(typ="safe", pure=True).load(text), schema)


def test_the_fleet_has_two_accounts_a_base_and_shops_with_overrides() -> None:
    fleet = load_fleet([FLEET / "integrations"])
    accounts = {f.state.integration_id: f.account for f in fleet.files}
    assert accounts == {
        2001: "agency-nl",
        2002: "agency-nl",
        2003: "agency-nl",
        2004: "agency-nl",
        3001: "agency-be",
        3002: "agency-be",
    }
    assert all(f.extends for f in fleet.files)
    overridden = [f for f in fleet.files if any(o.path == f.path for o in f.origins.values())]
    assert len(overridden) >= 3
