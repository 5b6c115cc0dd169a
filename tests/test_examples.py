"""The shipped examples are valid, and the model keeps everything they say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reconciler.cli import main
from reconciler.config.loader import load_file

EXAMPLES = sorted((Path(__file__).parents[1] / "examples" / "integrations").glob("*.yaml"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_validates(example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(example)]) == 0
    assert capsys.readouterr().out == "1 file valid.\n"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_round_trips(example: Path) -> None:
    written: Any = YAML(typ="safe", pure=True).load(example.read_text(encoding="utf-8"))
    dumped = load_file(example).state.model_dump(mode="json", exclude_unset=True)
    assert dumped == written


def test_examples_describe_distinct_integrations() -> None:
    ids = [load_file(example).state.integration_id for example in EXAMPLES]
    assert len(set(ids)) == len(ids)


def test_full_example_has_prestashops_default_states() -> None:
    state = load_file(EXAMPLES[0].parent / "prestashop-default.yaml").state
    assert state.statuses is not None
    assert list(state.statuses) == [str(n) for n in range(1, 14)]
    assert all(set(texts) == {"en-gb", "nl-nl"} for texts in state.statuses.values())
    assert state.mapping is not None
    assert None not in state.mapping.as_dict().values()


def test_multilingual_example_uses_five_or_more_languages() -> None:
    state = load_file(EXAMPLES[0].parent / "multilingual-shop.yaml").state
    assert state.statuses is not None
    assert max(len(texts) for texts in state.statuses.values()) >= 5
