"""An explicit YAML tag outside the core schema is refused, located, wherever YAML is read.

``!!binary``, ``!custom``, ``!!set`` and ``!<tag:yaml.org,2002:python/name:os.system>`` were once
read as plain text, so the file meant one thing here and another to any other YAML reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.cli import main

PROBLEM = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")
MAPPING = "mapping: {READY_TO_SEND: '1', IN_TRANSIT: null, DELIVERED: null, CANCEL: null}\n"
SHOP = 'integration_id: 5\nstatuses:\n  "1": {en-gb: Paid}\n' + MAPPING

# (as written, the tag as the message shows it)
TAGGED = [
    ("!!binary aGVsbG8=", "!!binary"),
    ("!custom x", "!custom"),
    ("!<tag:yaml.org,2002:python/name:os.system> y", "!!python/name:os.system"),
    ("!<!local> y", "!local"),
    ("!!set {a}", "!!set"),
    ("!!omap [{a: 1}]", "!!omap"),
    ("!custom {a: 1}", "!custom"),
]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "integrations").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def refusal(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, int, int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == 1, err
    assert "crashed" not in err
    lines = [line for line in err.splitlines() if PROBLEM.match(line)]
    assert len(lines) == 1, err
    found = PROBLEM.match(lines[0])
    assert found
    return found["path"], int(found["line"]), int(found["col"]), found["message"]


@pytest.mark.parametrize(("written", "shown"), TAGGED)
@pytest.mark.parametrize(
    ("where", "file", "text", "line"),
    [
        (
            "status text",
            "integrations/a.yaml",
            'integration_id: 5\nstatuses:\n  "1": {en-gb: {v}}\n' + MAPPING,
            3,
        ),
        ("label", "integrations/a.yaml", SHOP + "labels: [{v}]\n", 5),
        ("base", "bases/b.yaml", "labels: [x]\nunmanaged: {v}\n", 2),
        ("project file", "reconciler.yaml", "defaults:\n  safety: {v}\n", 2),
        ("included policy", "more.yaml", "policies:\n  - kind: max-statuses\n    max: {v}\n", 3),
    ],
)
def test_a_foreign_tag_is_a_located_error(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    written: str,
    shown: str,
    where: str,
    file: str,
    text: str,
    line: int,
) -> None:
    (repo / "bases").mkdir()
    text = text.replace("{v}", written)
    (repo / file).write_text(text, encoding="utf-8")
    if where != "status text" and where != "label":
        (repo / "integrations" / "a.yaml").write_text(
            SHOP + "extends: ../bases/b.yaml\n" if where == "base" else SHOP, encoding="utf-8"
        )
    if where == "included policy":
        (repo / "reconciler.yaml").write_text("policies:\n  - include: more.yaml\n", "utf-8")

    path, at, col, message = refusal(capsys, "validate", "integrations/")

    assert (path, at) == (file, line)
    assert text.splitlines()[line - 1][col - 1 :].startswith(written.split(" ")[0])
    assert message.startswith(f"the YAML tag `{shown}` is not one this format reads")


@pytest.mark.parametrize(("written", "shown"), TAGGED[:3])
def test_sandbox_set_refuses_a_foreign_tag_and_changes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], written: str, shown: str
) -> None:
    shop = repo / "shop.yaml"
    shop.write_text(f'integration_id: 5\nstatuses:\n  "1": {{en-gb: {written}}}\n', "utf-8")

    path, at, _, message = refusal(
        capsys, "sandbox", "set", "5", str(shop), "--state", str(repo / "s.json")
    )

    assert (Path(path), at) == (shop, 3)
    assert f"`{shown}`" in message
    assert not (repo / "s.json").exists()


def test_core_schema_tags_that_fit_are_read(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "integrations" / "a.yaml").write_text(
        '!!map\nintegration_id: !!int 5\nstatuses: !!map\n  "1": {en-gb: !!str 5, fr-fr: ! x}\n'
        + MAPPING
        + "labels: !!seq [!!str a]\n",
        encoding="utf-8",
    )

    assert main(["validate", "integrations/"]) == 0, capsys.readouterr().err
