"""The README's Rego (for conftest on ``reconciler render --format json``) reads only fields
that output has.

No Rego interpreter is a dependency (the PyPI package ``regorus`` does not install here), so the
Rego is not evaluated: instead every field path it reads from ``input`` is walked in the real
JSON that ``render --format json`` prints for the example fleet.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main

ROOT = Path(__file__).parents[2]
STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\w+)\]")


def readme_rego() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```rego\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1, "the README shows one Rego policy"
    return blocks[0]


def field_paths(rego: str) -> list[tuple[str, ...]]:
    """Each path the Rego reads from a document of ``input`` (``some shop in input``), as steps:
    a field name, or ``*`` for a key bound by ``some key, value in shop.PATH``."""
    documents = set(re.findall(r"some (\w+) in input\b", rego))
    assert documents, "the Rego iterates over the documents of `input` (a list)"
    keys = set(re.findall(r"some (\w+), \w+ in \w+[.\w\[\]-]*", rego))
    paths: list[tuple[str, ...]] = []
    for variable in documents:
        for chain in re.findall(rf"\b{variable}((?:\.[A-Za-z_][\w-]*|\[\w+\])+)", rego):
            steps = []
            for name, key in STEP.findall(chain):
                assert not key or key in keys, f"{variable}{chain}: {key} is not a bound key"
                steps.append(name or "*")
            paths.append(tuple(steps))
    return sorted(set(paths))


def holds(value: Any, steps: tuple[str, ...]) -> bool:
    if not steps:
        return True
    if not isinstance(value, dict):
        return False
    head, rest = steps[0], steps[1:]
    if head == "*":
        return bool(value) and all(holds(item, rest) for item in value.values())
    return head in value and holds(value[head], rest)


def test_every_field_the_readme_rego_reads_is_in_render_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    # The README's conftest command renders this directory.
    assert "reconciler render --format json examples/fleet/integrations/" in (
        ROOT / "README.md"
    ).read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["render", "--format", "json", "examples/fleet/integrations/"]) == 0
    documents = json.loads(capsys.readouterr().out)
    assert isinstance(documents, list)  # `some shop in input` iterates over a list
    assert len(documents) >= 5
    paths = field_paths(readme_rego())
    assert {("statuses",), ("origins", "statuses", "*", "status"), ("labels",)} <= set(paths)
    for path in paths:
        missing = [d["source"] for d in documents if not holds(d, path)]
        assert not missing, f"the README's Rego reads {'.'.join(path)}, not in {missing}"


def test_the_check_finds_a_field_render_does_not_print() -> None:
    rego = "deny contains msg if {\n  some shop in input\n  shop.desired.statuses\n}\n"
    assert field_paths(rego) == [("desired", "statuses")]
    assert not holds({"statuses": {}}, ("desired", "statuses"))
    assert not holds({"origins": {"statuses": {}}}, ("origins", "statuses", "*", "status"))
