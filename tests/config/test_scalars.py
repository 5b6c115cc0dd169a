"""A YAML value Python cannot convert is a located error everywhere YAML is read, never a crash.

``.nan``, ``.inf``, ``1e999``, explicitly tagged scalars that are not what their tag says and
dates that do not exist once crashed `validate` (exit 3) in desired-state files, bases, the
project file and its policies. One converter (`reconciler.config.scalars`) serves them all.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.config.scalars import ScalarError, scalar_value

PROBLEM = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")
# (as written in YAML, what the message says it is read as)
BAD = [
    (".nan", "NaN"),
    (".NaN", "NaN"),
    (".inf", "infinity"),
    ("-.inf", "infinity"),
    ("+.INF", "infinity"),
    ("1e999", "infinity"),
    ("-1.5e400", "infinity"),
    ("!!float abc", "a decimal number"),
    ("!!int abc", "a whole number"),
    ("123456789012345678901234567", "a whole number"),
    ("!!bool maybe", "a boolean"),
    ("!!null x", "null"),
    ("2001-02-30", "a date"),
    ("!!timestamp 2024-13-01", "a date"),
]
MAPPING = "mapping: {READY_TO_SEND: '1', IN_TRANSIT: null, DELIVERED: null, CANCEL: null}\n"
SHOP = 'integration_id: 5\nstatuses:\n  "1": {en-gb: Paid}\n' + MAPPING


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the project file is looked for up to the repository's root
    (tmp_path / "integrations").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def one_problem(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == 1, err
    lines = [line for line in err.splitlines() if PROBLEM.match(line)]
    assert len(lines) == 1, err
    assert "crashed" not in err
    found = PROBLEM.match(lines[0])
    assert found
    return found["path"], int(found["line"]), found["message"]


def value(written: str) -> str:
    return written.split(" ", 1)[1] if written.startswith("!") else written


@pytest.mark.parametrize(("written", "kind"), BAD)
@pytest.mark.parametrize(
    ("where", "text", "line"),
    [
        ("an integration_id", "integration_id: {v}\n", 1),
        ("a setting", SHOP + "safety: {max_delete_share: {v}}\n", 5),
        ("a status text", 'integration_id: 5\nstatuses:\n  "1": {en-gb: {v}}\n' + MAPPING, 3),
        ("a label", SHOP + "labels: [{v}]\n", 5),
        ("a key", SHOP + "{v}: 1\n", 5),
    ],
)
def test_a_desired_state_file(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    written: str,
    kind: str,
    where: str,
    text: str,
    line: int,
) -> None:
    (repo / "integrations" / "a.yaml").write_text(text.replace("{v}", written), encoding="utf-8")

    path, at, message = one_problem(capsys, "validate", "integrations/")

    assert (path, at) == ("integrations/a.yaml", line)
    if where == "an integration_id" and kind == "a whole number":
        assert "integration_id" in message  # ids have their own rule: plain decimal digits
    else:
        assert kind in message
        assert f'("{value(written)}")' in message  # "put it in quotes ("...")"


@pytest.mark.parametrize(("written", "kind"), BAD)
def test_a_base(repo: Path, capsys: pytest.CaptureFixture[str], written: str, kind: str) -> None:
    (repo / "bases").mkdir()
    (repo / "bases" / "b.yaml").write_text(
        f"safety:\n  min_live_statuses: {written}\n", encoding="utf-8"
    )
    (repo / "integrations" / "a.yaml").write_text(
        SHOP + "extends: ../bases/b.yaml\n", encoding="utf-8"
    )

    path, at, message = one_problem(capsys, "validate", "integrations/")

    assert (path, at) == ("bases/b.yaml", 2)
    assert message.startswith(f"safety.min_live_statuses: `{value(written)}` ")
    assert kind in message


@pytest.mark.parametrize(("written", "kind"), BAD)
@pytest.mark.parametrize(
    ("project", "line"),
    [
        ("defaults:\n  safety: {max_delete_share: {v}}\n", 2),
        ("policies:\n  - {kind: max-statuses, max: {v}}\n", 2),
        ("policies:\n  - {kind: max-statuses, max: 3, integrations: [{v}]}\n", 2),
    ],
)
def test_the_project_file(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    written: str,
    kind: str,
    project: str,
    line: int,
) -> None:
    (repo / "reconciler.yaml").write_text(project.replace("{v}", written), encoding="utf-8")
    (repo / "integrations" / "a.yaml").write_text(SHOP, encoding="utf-8")

    path, at, message = one_problem(capsys, "validate", "integrations/")

    assert (path, at) == ("reconciler.yaml", line)
    assert kind in message


@pytest.mark.parametrize(("written", "kind"), BAD)
def test_a_policy_file_the_project_includes(
    repo: Path, capsys: pytest.CaptureFixture[str], written: str, kind: str
) -> None:
    (repo / "reconciler.yaml").write_text("policies:\n  - include: more.yaml\n", "utf-8")
    (repo / "more.yaml").write_text(
        f"policies:\n  - kind: max-statuses\n    max: {written}\n", encoding="utf-8"
    )
    (repo / "integrations" / "a.yaml").write_text(SHOP, encoding="utf-8")

    path, at, message = one_problem(capsys, "validate", "integrations/")

    assert (path, at) == ("more.yaml", 3)
    assert message.startswith("policy: ")
    # Whole numbers in policies have the integration_id rule: plain decimal digits.
    assert kind.removeprefix("a ") in message


@pytest.mark.parametrize(("written", "kind"), BAD[:3] + BAD[-2:])
def test_sandbox_set_and_adopt_refuse_them_too(
    repo: Path, capsys: pytest.CaptureFixture[str], written: str, kind: str
) -> None:
    shop = repo / "integrations" / "a.yaml"
    text = 'integration_id: 5\nstatuses:\n  "1": {en-gb: Paid}\n  "2": {en-gb: VALUE}\n'
    text = text.replace("VALUE", written)
    shop.write_text(text + MAPPING, encoding="utf-8")

    for command in (["sandbox", "set", "5", str(shop)], ["--sandbox", "adopt", "integrations/"]):
        path, at, message = one_problem(capsys, "--sandbox-state", "s.json", *command)
        assert (Path(path), at) == (
            Path(shop) if command[0] == "sandbox" else shop.relative_to(repo),
            4,
        )
        assert message.startswith("the en-gb text of status '2' is read as ")
        assert kind in message
    assert shop.read_text(encoding="utf-8") == text + MAPPING


def test_values_that_convert_keep_their_meaning() -> None:
    assert scalar_value("tag:yaml.org,2002:float", "1_000.5") == 1000.5
    assert scalar_value("float", "-.5e3") == -500.0
    assert scalar_value("int", "0x1F") == 31
    assert scalar_value("bool", "True") is True
    assert scalar_value("null", "~") is None
    assert scalar_value("timestamp", "2001-12-14 21:59:43.10 -5") == "2001-12-14 21:59:43.10 -5"
    with pytest.raises(ScalarError, match="the YAML tag `!shop` is not one this format reads"):
        scalar_value("!shop", "anything")
    assert math.isfinite(scalar_value("float", "1e308"))


def test_every_refusal_says_what_to_write() -> None:
    for written, kind in BAD:
        tag = written.split(" ")[0].removeprefix("!!") if written.startswith("!!") else None
        raw = value(written)
        implicit = {"NaN": "float", "infinity": "float", "a date": "timestamp"}
        with pytest.raises(ScalarError) as caught:
            scalar_value(tag or implicit.get(kind, "int"), raw)
        assert kind in caught.value.kind
        assert "quotes" in str(caught.value)


def test_scalars_is_the_only_converter() -> None:
    """No module but `reconciler.config.scalars` turns a scalar's text into a number itself."""
    import ast

    package = Path(__file__).resolve().parents[2] / "reconciler"
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "scalars.py" or "simulator" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        if "ruamel" not in text and "Node" not in text:
            continue  # reads no YAML nodes
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("int", "float", "bool")
                and node.args
                and not isinstance(node.args[0], ast.Constant)
            ):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    assert found == [], "convert YAML scalars with reconciler.config.scalars.scalar_value"
