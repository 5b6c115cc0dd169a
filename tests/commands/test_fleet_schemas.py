"""The checked-in schemas of the project file and of bases, and what the integration schema
accepts once a file extends bases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.cli import main
from reconciler.commands.schema import SCHEMA_FILES, SchemaKind, schema_text

SCHEMAS = Path(__file__).parents[2] / "schemas"


def validator(kind: SchemaKind) -> Any:
    schema = json.loads((SCHEMAS / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("kind", ["integration", "base", "project"])
def test_checked_in_schema_is_up_to_date(kind: SchemaKind) -> None:
    assert (SCHEMAS / SCHEMA_FILES[kind]).read_text(encoding="utf-8") == schema_text(kind), (
        f"schemas/{SCHEMA_FILES[kind]} is out of date; regenerate it with\n"
        f"    reconciler schema {kind} > schemas/{SCHEMA_FILES[kind]}"
    )


def test_schema_command_prints_the_project_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "project"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "reconciler project file"


def test_an_overlay_may_name_some_categories_and_remove_with_null() -> None:
    overlay = {
        "integration_id": 4,
        "extends": "../bases/nl.yaml",
        "labels": ["tier-1"],
        "unmanaged": ["module-*"],
        "safety": {"max_delete_share": 0.5},
        "statuses": {"3": None, "4": {"fr-fr": None, "en-gb": "Sent"}},
        "mapping": {"CANCEL": "6"},
    }
    validator("integration").validate(overlay)
    flat = {k: v for k, v in overlay.items() if k != "extends"}
    assert not validator("integration").is_valid(flat)  # without extends: the strict format


def test_a_base_has_no_integration_id_and_files_have_no_fleet_wide_threshold() -> None:
    assert validator("base").is_valid({"statuses": {"2": {"en-gb": "Paid"}}})
    assert not validator("base").is_valid({"integration_id": 3})
    assert not validator("base").is_valid({"safety": {"max_integration_share": 0.5}})


def test_the_project_schema_refuses_what_the_loader_refuses() -> None:
    good = {
        "defaults": {"safety": {"max_delete_share": 0.3}, "unmanaged": ["12"]},
        "accounts": {
            "nl": {
                "paths": ["integrations/nl/**"],
                "public_key_env": "NL_PUB",
                "secret_key_env": "NL_SECRET",
            }
        },
        "policies": [],
    }
    project = validator("project")
    project.validate(good)
    bad_share = json.loads(json.dumps(good))
    bad_share["defaults"]["safety"]["max_delete_share"] = 30
    assert not project.is_valid(bad_share)
    bad_env = json.loads(json.dumps(good))
    bad_env["accounts"]["nl"]["secret_key_env"] = "sk-live 123"
    assert not project.is_valid(bad_env)


def _yaml(path: Path) -> Any:
    from ruamel.yaml import YAML

    def keys_as_text(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): keys_as_text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys_as_text(v) for v in value]
        return value

    return keys_as_text(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")))


FLEET = SCHEMAS.parent / "examples" / "fleet"
FLEET_FILES: list[tuple[SchemaKind, Path]] = [
    ("project", FLEET / "reconciler.yaml"),
    *(("base", p) for p in sorted((FLEET / "bases").glob("*.yaml"))),
    *(("integration", p) for p in sorted((FLEET / "integrations").rglob("*.yaml"))),
]


@pytest.mark.parametrize(
    ("kind", "path"), FLEET_FILES, ids=[str(p.relative_to(FLEET)) for _, p in FLEET_FILES]
)
def test_the_example_fleet_validates_against_the_schema_its_modeline_names(
    kind: SchemaKind, path: Path
) -> None:
    modeline = path.read_text(encoding="utf-8").splitlines()[0]
    target = modeline.removeprefix("# yaml-language-server: $schema=")
    assert (path.parent / target).resolve() == SCHEMAS / SCHEMA_FILES[kind]
    validator(kind).validate(_yaml(path))
