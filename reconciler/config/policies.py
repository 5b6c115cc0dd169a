"""Reading policies: the ``policies`` list of the project file (``reconciler.yaml``).

The project file is the one `reconciler.config.project` found for the fleet (`Project.path`);
without one, no rule is in force. Each entry of ``policies`` is a rule (see
`reconciler.policy`) or ``include: FILE``, a file (relative to the one naming it, and below the
project file's directory once links are resolved) whose own ``policies`` list is read in its
place. A rule's ``accounts`` must be accounts the project file
defines (a typo would otherwise select nothing, silently); ``labels`` are free-form, as files
and bases write them. Every mistake is a `ConfigError` located in the file that holds it. Other
keys of the project file belong to the fleet settings and are not read here.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.builder import read_integration_id
from reconciler.config.messages import suggest
from reconciler.config.reader import compose, read_text
from reconciler.config.scalars import ScalarError, scalar_value
from reconciler.errors import ConfigError, Problem
from reconciler.policy import BUILT_IN, KINDS, PlacedRule, Rule
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


def included_files(project: Project) -> list[Path]:
    """The files ``project``'s file includes (``include:``, transitively), as resolved paths.

    Read as far as they can be (a broken one is reported by `load_policies`): a change to any of
    them changes the rules of every integration, which ``--changed-since`` must know.
    """
    if project.path is None:
        return []
    reading = _Reading(project, [], [])
    top = Path(project.path).resolve()
    with contextlib.suppress(ConfigError):
        _read(reading, top, chain=())
    return [path for path in dict.fromkeys(reading.files) if path != top]


@dataclass
class _Reading:
    """What reading a project file and its includes has found so far."""

    project: Project
    rules: list[PlacedRule]
    problems: list[Problem]
    files: list[Path] = field(default_factory=list)  # every file read, the project file first
    names: dict[str, str] = field(default_factory=dict)  # a rule's name -> where it is written

    def check_name(self, name: str, entry: Node) -> bool:
        """Whether the rule's ``name`` is new (a second rule of the same name: a problem at its
        name, pointing at the first; reports and annotations name rules by it)."""
        node = _value_of(entry, "name")
        if node is None or not isinstance(node.value, str):
            return True
        where = f"{name}:{_pos(node)[0]}"
        first = self.names.setdefault(node.value, where)
        if first == where:
            return True
        message = (
            f"policy: a rule named {node.value!r} is already written at {first}; give each rule "
            "its own name"
        )
        self.problems.append(Problem(name, *_pos(node), message))
        return False

    def check_ids(self, name: str, entry: Node) -> bool:
        """Whether every ``integrations`` id is written as an ``integration_id`` must be (plain
        decimal digits); each that is not: a problem at it, with the same words."""
        ids = _value_of(entry, "integrations")
        if not isinstance(ids, SequenceNode):
            return True
        good = True
        for item in ids.value:
            if isinstance(item, ScalarNode) and str(item.tag).endswith(":int"):
                _, message = read_integration_id(item.value, "integration id")
                if message is not None:
                    self.problems.append(Problem(name, *_pos(item), f"policy: {message}"))
                    good = False
        return good

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
    reading.files.append(path)
    name = display(path)
    root = compose(
        read_text(name),
        name,
        empty="the policy file is empty; write a `policies:` list of rules, or remove the include",
    )
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
        if not reading.check_ids(name, entry):
            continue
        try:
            value = _plain(entry)
        except _ScalarAt as exc:
            problems.append(Problem(name, *_pos(exc.node), f"policy: {exc.error}"))
            continue
        if isinstance(value, dict) and set(value) == {"include"}:
            _include(reading, path, entry, value["include"], (*chain, path))
            continue
        named = reading.check_name(name, entry)
        try:
            rule = _RULE.validate_python(value)
        except ValidationError as exc:
            problems.append(_problem(name, entry, exc))
            continue
        if reading.check_accounts(name, entry) and named:
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
    # As the project file itself: the project governs its directory's tree, and its rules come
    # from there (links resolved), never from elsewhere on the machine.
    boundary = Path(os.path.realpath(os.path.dirname(reading.project.path or ".") or "."))
    if path != boundary and boundary not in path.parents:
        problems.append(
            Problem(
                name,
                *_pos(node),
                f"`include: {target}` is outside the project: it resolves to {path}, not below "
                f"the project file's directory {boundary}; copy the file into the project",
            )
        )
        return
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
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "union_tag_invalid" and error["ctx"].get("tag") == BUILT_IN[0][0]:
        message = (
            f"`kind: {BUILT_IN[0][0]}` is built in and always on: no status is deleted while the "
            "live mapping uses it (plan marks such a plan unsafe, apply refuses it); it cannot be "
            "configured, so remove this rule"
        )
    elif error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        message = "`kind` must be one of: " + ", ".join(KINDS)
    elif error["type"] in ("int_type", "int_parsing") and isinstance(error.get("input"), str):
        # `max: 0x10` is kept as its text (see `_plain`): say how to write the number.
        message = (
            f"{field}: {error['input']} is not a whole number written in plain decimal digits "
            "(0-9, no leading zeros, separators or 0x/0o prefixes)"
        )
    elif field and not (error["type"] == "value_error" and len(error["loc"]) == 1):
        message = f"{field}: {message}"
    return Problem(name, *where, f"policy: {message}")


class _ScalarAt(Exception):
    """A scalar `scalar_value` refused, and the node it is written at."""

    def __init__(self, node: Node, error: ScalarError) -> None:
        super().__init__(str(error))
        self.node, self.error = node, error


def _plain(node: Node) -> Any:
    """The node as plain data (mappings, lists, text, numbers, booleans, null), each scalar
    converted as everywhere else (`reconciler.config.scalars`); raises `_ScalarAt`."""
    if isinstance(node, MappingNode):
        return {str(_plain(k)): _plain(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.value]
    assert isinstance(node, ScalarNode)  # noqa: S101 - a composed node is one of the three
    if str(node.tag).endswith(":int") and not re.fullmatch("-?(0|[1-9][0-9]{0,18})", node.value):
        # Plain decimal only, as in desired-state files: 0x10, 1_6 and 010 are numbers some YAML
        # readers disagree on; left as text, they are refused as "not an integer".
        return node.value
    try:
        return scalar_value(str(node.tag), node.value)
    except ScalarError as exc:
        raise _ScalarAt(node, exc) from None


def _value_of(node: Node, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1
