"""Every JSON document read from a user or a server goes through `reconciler.jsondoc`.

Python's parser recurses once per nesting level: a snapshot, plan file, journal, sandbox state or
API answer nested a thousand deep crashes it (``RecursionError``, exit 3) unless the bounded
reader refuses it first. So no module but ``jsondoc`` may parse JSON itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reconciler.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "reconciler"
# Names that parse JSON text: json.loads/json.load, a JSONDecoder, pydantic's JSON validation.
PARSERS = {"loads", "load", "raw_decode", "model_validate_json", "validate_json", "JSONDecoder"}


def json_parsers(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "json":
            lines += [node.lineno for alias in node.names if alias.name in PARSERS]
        elif isinstance(node, ast.Attribute) and node.attr in PARSERS:
            # `.load` is only json's (a YAML loader or a file's `load` is no JSON parser).
            is_json = isinstance(node.value, ast.Name) and node.value.id == "json"
            if node.attr != "load" or is_json:
                lines.append(node.lineno)
    return lines


def test_only_jsondoc_parses_json() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "jsondoc.py" and path.parent == PACKAGE:
            continue
        for line in json_parsers(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{line}")
    assert found == [], "parse JSON with reconciler.jsondoc.load_json / load_model instead"


def test_the_check_finds_a_direct_parser() -> None:
    source = "import json\nfrom json import loads\njson.loads('1')\nM.model_validate_json(b)\n"
    assert json_parsers(ast.parse(source)) == [2, 3, 4]


@pytest.mark.parametrize("depth", [40, 1500])
def test_a_deeply_nested_snapshot_is_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("integrations").mkdir()
    Path("integrations/a.yaml").write_text("integration_id: 5\n", encoding="utf-8")
    Path("deep.json").write_text('{"a":' * depth + "1" + "}" * depth, encoding="utf-8")

    code = main(["plan", "integrations/", "--live", "deep.json"])

    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().splitlines() == [
        "Error: snapshot deep.json cannot be read: it is nested more than 32 levels deep; "
        "take a new one with `reconciler snapshot --out FILE`"
    ]
