"""Reading policies: the ``policies`` list of the project file (``reconciler.yaml``).

The project file is the one `reconciler.config.project` found for the fleet (`Project.path`);
without one, no rule is in force. Each entry of ``policies`` is a rule (see
`reconciler.policy`) or ``include: FILE``, a file (relative to the one naming it) whose own
``policies`` list is read in its place. A rule's ``accounts`` must be accounts the project file
defines (a typo would otherwise select nothing, silently); ``labels`` are free-form, as files
and bases write them. Every mistake is a `ConfigError` located in the file that holds it. Other
keys of the project file belong to the fleet settings and are not read here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.messages import suggest
from reconciler.config.reader import compose, read_text
from reconciler.errors import ConfigError, Problem
from reconciler.policy import KINDS, PlacedRule, Rule
from reconciler.project import Project

_RULE: TypeAdapter[Rule] = TypeAdapter(Rule)
_MAX_INCLUDE_DEPTH = 8


def display(path: Path) -> str:
    """``path`` as shown to the user: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_policies(project: Project) -> list[PlacedRule]:
    """The rules of ``project``'s file (and the files it includes), in the order written.

    No project file: no rule. Raises one `ConfigError` listing every bad rule, bad include and
    account no ``accounts`` entry defines.
    """
    if project.path is None:
        return []
    reading = _Reading(project, [], [])
    _read(reading, Path(project.path).resolve(), chain=())
    if reading.problems:
        raise ConfigError(reading.problems)
    return reading.rules


@dataclass
class _Reading:
    """What reading a project file and its includes has found so far."""

    project: Project
    rules: list[PlacedRule]
    problems: list[Problem]

    def check_accounts(self, name: str, entry: Node) -> bool:
        """Whether every account ``entry`` selects is defined (each one that is not: a problem
        at its value, naming the defined ones and the nearest)."""
        defined = list(self.project.model.accounts)
        accounts = _value_of(entry, "accounts")
        if not isinstance(accounts, SequenceNode):
            return True
        known = True
        for item in accounts.value:
            if item.value in defined:
                continue
            known = False
            hint = suggest(str(item.value), defined)
            did_you_mean = f"did you mean {hint!r}? " if hint else ""
            listed = (
                f"the accounts are {', '.join(defined)}"
                if defined
                else f"{self.project.path} defines no accounts (add them under `accounts`)"
            )
            message = f"policy: no account {item.value!r} in {self.project.path}; {did_you_mean}"
            self.problems.append(Problem(name, *_pos(item), message + listed))
        return known


def _read(reading: _Reading, path: Path, chain: tuple[Path, ...]) -> None:
    rules, problems = reading.rules, reading.problems
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
            _include(reading, path, entry, value["include"], (*chain, path))
            continue
        try:
            rule = _RULE.validate_python(value)
        except ValidationError as exc:
            problems.append(_problem(name, entry, exc))
            continue
        if reading.check_accounts(name, entry):
            rules.append(PlacedRule(rule, f"{name}:{_pos(entry)[0]}"))


def _include(
    reading: _Reading, parent: Path, node: Node, target: Any, chain: tuple[Path, ...]
) -> None:
    problems = reading.problems
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
        _read(reading, path, chain)
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


def _value_of(node: Node, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1
