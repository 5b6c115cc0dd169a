"""Reading policies: the ``policies`` list of the project file (``reconciler.yaml``).

The project file is found from the first PATH upward, stopping at the repository root (the
directory holding ``.git``); without one, no rule is in force. Each entry of ``policies`` is a
rule (see `reconciler.policy`) or ``include: FILE``, a file (relative to the one naming it)
whose own ``policies`` list is read in its place. Every mistake is a `ConfigError` located in
the file that holds it. Other keys of the project file belong to the fleet settings and are not
read here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.reader import compose, read_text
from reconciler.errors import ConfigError, Problem
from reconciler.policy import KINDS, PlacedRule, Rule

PROJECT_FILE_NAMES = ("reconciler.yaml", "reconciler.yml")
_RULE: TypeAdapter[Rule] = TypeAdapter(Rule)
_MAX_INCLUDE_DEPTH = 8


def find_project_file(paths: Sequence[str | os.PathLike[str]]) -> Path | None:
    """The project file above the first of ``paths`` (or in it), or None."""
    start = Path(paths[0] if paths else ".").resolve()
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        for name in PROJECT_FILE_NAMES:
            if (candidate / name).is_file():
                return candidate / name
        if (candidate / ".git").exists():
            return None
    return None


def display(path: Path) -> str:
    """``path`` as shown to the user: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_policies(project_file: Path) -> list[PlacedRule]:
    """The rules in force under ``project_file``, in the order written; `ConfigError`."""
    rules: list[PlacedRule] = []
    problems: list[Problem] = []
    _read(project_file, rules, problems, chain=())
    if problems:
        raise ConfigError(problems)
    return rules


def _read(
    path: Path, rules: list[PlacedRule], problems: list[Problem], chain: tuple[Path, ...]
) -> None:
    name = display(path)
    root = compose(read_text(name), name)
    if not isinstance(root, MappingNode):
        problems.append(Problem(name, *_pos(root), "expected a mapping with a `policies` list"))
        return
    entries = next((v for k, v in root.value if k.value == "policies"), None)
    if entries is None:
        return
    if not isinstance(entries, SequenceNode):
        problems.append(Problem(name, *_pos(entries), "`policies` must be a list of rules"))
        return
    for entry in entries.value:
        value = _plain(entry)
        if isinstance(value, dict) and set(value) == {"include"}:
            _include(path, entry, value["include"], rules, problems, (*chain, path))
            continue
        try:
            rule = _RULE.validate_python(value)
        except ValidationError as exc:
            problems.append(_problem(name, entry, exc))
            continue
        if rule.accounts or rule.labels:
            problems.append(
                Problem(
                    name,
                    *_pos(entry),
                    "selecting by `accounts` or `labels` needs accounts and labels in the "
                    "project file, which this version does not have yet; select by "
                    "`integrations` or `paths`",
                )
            )
            continue
        rules.append(PlacedRule(rule, f"{name}:{_pos(entry)[0]}"))


def _include(
    parent: Path,
    node: Node,
    target: Any,
    rules: list[PlacedRule],
    problems: list[Problem],
    chain: tuple[Path, ...],
) -> None:
    name = display(parent)
    if not isinstance(target, str) or not target:
        problems.append(Problem(name, *_pos(node), "`include` takes a file path"))
        return
    path = (parent.parent / target).resolve()
    if path in chain or len(chain) > _MAX_INCLUDE_DEPTH:
        problems.append(Problem(name, *_pos(node), f"`include: {target}` includes itself"))
        return
    if not path.is_file():
        problems.append(Problem(name, *_pos(node), f"`include: {target}`: no such file"))
        return
    try:
        _read(path, rules, problems, chain)
    except ConfigError as exc:
        problems.extend(exc.problems)


def _problem(name: str, entry: Node, exc: ValidationError) -> Problem:
    error = exc.errors()[0]
    where = _pos(entry)
    if isinstance(entry, MappingNode) and error["loc"]:
        key = error["loc"][1] if len(error["loc"]) > 1 else error["loc"][0]
        where = next((_pos(k) for k, _ in entry.value if k.value == key), where)
    field = ".".join(str(p) for p in error["loc"][1:]) or str(
        error["loc"][0] if error["loc"] else ""
    )
    message = error["msg"]
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        message = "`kind` must be one of: " + ", ".join(KINDS)
    elif field:
        message = f"{field}: {message}"
    return Problem(name, *where, f"policy: {message}")


def _plain(node: Node) -> Any:
    """The node as plain data (mappings, lists, text, whole numbers, booleans, null)."""
    if isinstance(node, MappingNode):
        return {str(_plain(k)): _plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.value]
    assert isinstance(node, ScalarNode)  # noqa: S101 - a composed node is one of the three
    tag = node.tag.split(":")[-1] if node.tag else "str"
    if tag.endswith("int"):
        try:
            return int(node.value, 0)
        except ValueError:
            return node.value
    if tag.endswith("bool"):
        return node.value.lower() in ("true", "yes", "on")
    if tag.endswith("null"):
        return None
    return node.value


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1
