"""`reconciler schema` and the checked-in ``schemas/integration.schema.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler.cli import main
from reconciler.commands.schema import integration_schema_text

ROOT = Path(__file__).parents[2]
SCHEMA_FILE = ROOT / "schemas" / "integration.schema.json"
EXAMPLES = sorted((ROOT / "examples" / "integrations").glob("*.yaml"))
CORPUS = ROOT / "tests" / "config" / "corpus"


def yaml_data(path: Path) -> Any:
    """The file as an editor's YAML language server sees it: plain data, keys as text."""

    def stringify_keys(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): stringify_keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [stringify_keys(v) for v in value]
        return value

    return stringify_keys(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_checked_in_schema_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == integration_schema_text(), (
        "schemas/integration.schema.json is out of date; regenerate it with\n"
        "    reconciler schema > schemas/integration.schema.json"
    )


def test_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    assert out == integration_schema_text()
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_examples_point_editors_at_the_schema() -> None:
    for example in EXAMPLES:
        first_line = example.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../../schemas/integration.schema.json"
        assert (example.parent / "../../schemas/integration.schema.json").resolve() == SCHEMA_FILE


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_examples_validate_against_the_schema(
    example: Path, validator: jsonschema.protocols.Validator
) -> None:
    validator.validate(yaml_data(example))


def test_plain_number_ids_are_accepted_by_the_schema_too(
    validator: jsonschema.protocols.Validator,
) -> None:
    data = {
        "integration_id": 1,
        "statuses": {"4": {"en-gb": "Shipped"}},
        "mapping": {"READY_TO_SEND": 4, "IN_TRANSIT": "4", "DELIVERED": None, "CANCEL": None},
    }
    validator.validate(data)


@pytest.mark.parametrize(
    "name",
    [
        "bad_language.yaml",
        "unknown_top_key.yaml",
        "unknown_category.yaml",
        "missing_category.yaml",
        "empty_translations.yaml",
        "text_empty.yaml",
        "text_boolean.yaml",
        "statuses_null.yaml",
        "mapping_null.yaml",
        "integration_id_zero.yaml",
        "integration_id_string.yaml",
        "integration_id_missing.yaml",
        "eight_translations.yaml",
        "top_level_list.yaml",
        # Texts and ids Sendcloud would not store as written: editors flag them too.
        "text_trailing_space.yaml",
        "text_only_spaces.yaml",
        "text_two_lines.yaml",
        "text_folded_block.yaml",
        "text_no_break_space.yaml",
        "status_id_leading_space.yaml",
        "mapping_id_tab.yaml",
    ],
)
def test_corpus_files_are_rejected_by_the_schema(
    name: str, validator: jsonschema.protocols.Validator
) -> None:
    assert not validator.is_valid(yaml_data(CORPUS / name))
