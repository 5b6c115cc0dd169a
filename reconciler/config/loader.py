"""Desired-state files → ``DesiredState``, every mistake located as ``file:line:col``.

The YAML is read at the node level (ruamel.yaml's composer) rather than loaded into Python
objects, for three reasons: every value keeps its line and column; duplicate keys, merge keys and
alias expansion can be checked before anything is built; and the loader sees how a scalar was
written, so ``4`` can be accepted as the external id "4" while ``04``, ``4.0``, ``true`` or a date
are refused with a hint to quote them rather than silently changing meaning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.messages import (
    describe_validation_error,
    integration_id_message,
    quoted_excerpt,
    suggest,
    text_message,
)
from reconciler.config.reader import MAX_DEPTH, compose, read_text
from reconciler.errors import ConfigError, Problem
from reconciler.model import CATEGORIES, DesiredState, text_problem

# Aliases may repeat at most this many nodes in total: enough for any sane reuse of a
# translation block, far too few for a "billion laughs" file to cost anything.
MAX_ALIAS_EXPANSION = 1000
YAML_SUFFIXES = (".yaml", ".yml")

_TAG = "tag:yaml.org,2002:"
_PLAIN_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_TAG_NAMES = {
    "float": "a decimal number",
    "bool": "a boolean",
    "null": "null (nothing)",
    "timestamp": "a date",
}

Location = tuple[str, ...]


@dataclass(frozen=True)
class DesiredFile:
    """A valid desired-state file, with where each value came from (for later error messages)."""

    path: str
    state: DesiredState
    positions: dict[Location, tuple[int, int]] = field(repr=False, compare=False)

    def locate(self, *location: str) -> tuple[int, int]:
        """Line and column (1-based) of ``location``, or of its nearest ancestor that has one."""
        loc = tuple(location)
        while loc and loc not in self.positions:
            loc = loc[:-1]
        return self.positions.get(loc, (1, 1))


def discover(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """Expand files and directories (recursively, ``*.yaml``/``*.yml``) into a sorted file list."""
    found, problems = _discover(paths)
    return list(found), problems


def _discover(
    paths: Sequence[str | os.PathLike[str]],
) -> tuple[dict[Path, Path | None], list[Problem]]:
    """Each file found → the directory it was found in (None: the file was named itself)."""
    files: dict[Path, Path | None] = {}
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_walk_yaml(path, problems))
            if not found and not problems:
                message = (
                    "no *.yaml or *.yml files in this directory (or its subdirectories); "
                    "pass the directory that holds the integration files"
                )
                problems.append(Problem(str(path), 1, 1, message))
            for file in found:
                files.setdefault(file, path)
        elif path.exists() or path.is_symlink():
            files.setdefault(path, None)
        else:
            problems.append(Problem(str(path), 1, 1, "no such file or directory; check the path"))
    return files, problems


def _walk_yaml(directory: Path, problems: list[Problem]) -> Iterator[Path]:
    def unreadable(exc: OSError) -> None:
        # A directory that cannot be listed may hold integrations: skipping it would plan
        # without them, so it is an error.
        name = exc.filename or str(directory)
        reason = exc.strerror or str(exc)
        message = f"cannot read this directory ({reason}); fix its permissions or pass another"
        problems.append(Problem(str(name), 1, 1, message))

    # os.walk does not follow directory symlinks, so a symlink loop cannot recurse forever.
    for root, dirs, names in os.walk(directory, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.endswith(YAML_SUFFIXES):
                yield Path(root, name)


def load_paths(paths: Sequence[str | os.PathLike[str]]) -> list[DesiredFile]:
    """Load every file under ``paths``; raise one ConfigError listing every problem in each."""
    files, problems = _discover(paths)
    loaded: list[DesiredFile] = []
    for path, root in files.items():
        try:
            loaded.append(load_file(path, root=root))
        except ConfigError as exc:
            problems.extend(exc.problems)
    problems.extend(_duplicate_integrations(loaded))
    if problems:
        raise ConfigError(problems)
    return sorted(loaded, key=lambda f: f.state.integration_id)


def _duplicate_integrations(files: Iterable[DesiredFile]) -> Iterator[Problem]:
    first_seen: dict[int, DesiredFile] = {}
    for desired in files:
        integration_id = desired.state.integration_id
        if integration_id in first_seen:
            other = first_seen[integration_id]
            other_line = other.locate("integration_id")[0]
            line, col = desired.locate("integration_id")
            yield Problem(
                desired.path,
                line,
                col,
                f"integration {integration_id} is already defined in {other.path}:{other_line}; "
                "keep exactly one file per integration",
            )
        else:
            first_seen[integration_id] = desired


def load_file(path: str | os.PathLike[str], *, root: Path | None = None) -> DesiredFile:
    """One desired-state file; ``root``: the directory it was found in (links stay inside it)."""
    name = str(path)
    text = read_text(name, root=root)
    return parse(text, name)


def parse(text: str, name: str) -> DesiredFile:
    """Parse one file's text. ``name`` is only used in messages."""
    root = compose(text, name)
    builder = _Builder(name, _alias_budget(root))
    data = builder.build(root, ())
    problems = builder.problems
    if not isinstance(data, dict):
        if not problems:
            text = quoted_excerpt(str(data))
            kind = "a list" if isinstance(root, SequenceNode) else f"only the text {text}"
            message = (
                f"the file holds {kind}; it must be a mapping of keys, starting with "
                "`integration_id: <id>`"
            )
            problems.append(Problem(name, *_pos(root), message))
        raise ConfigError(problems)
    problems.extend(_explicit_nulls(data, builder.positions, name))
    problems.extend(_dangling_mapping(data, builder))
    try:
        state = DesiredState.model_validate(data)
    except ValidationError as exc:
        problems.extend(_schema_problems(exc, builder))
    if problems:
        raise ConfigError(problems)
    return DesiredFile(name, state, builder.positions)


def _schema_problems(exc: ValidationError, builder: _Builder) -> Iterator[Problem]:
    errors = [(tuple(str(part) for part in e["loc"]), e) for e in exc.errors()]
    # A misspelt category is reported once, as unknown with a suggestion, not also as missing.
    suggested = {
        ("mapping", hint)
        for loc, e in errors
        if e["type"] == "extra_forbidden" and len(loc) == 2 and loc[0] == "mapping"
        for hint in [suggest(loc[1], CATEGORIES)]
        if hint
    }
    for loc, error in errors:
        if any(loc[: len(bad)] == bad for bad in builder.invalid):
            continue
        if error["type"] == "missing" and loc in suggested:
            continue
        written = None
        about_key = error["type"] in ("missing", "extra_forbidden") or loc[-1:] == ("[key]",)
        if not about_key and loc in builder.values:
            # A wrong value is located at the value itself, and quoted as it was written.
            (line, col), written = builder.values[loc]
        else:
            line, col = _nearest(builder.positions, loc)
        message = describe_validation_error(error, loc, written)
        yield Problem(builder.name, line, col, message)


def _explicit_nulls(
    data: dict[str, Any], positions: dict[Location, tuple[int, int]], name: str
) -> Iterator[Problem]:
    hints = {
        "statuses": "write `statuses: {}` for no statuses, or remove the key to leave them "
        "unmanaged",
        "mapping": "list the four categories, or remove the key to leave the mapping unmanaged",
    }
    for key, hint in hints.items():
        if key in data and data[key] is None:
            yield Problem(name, *positions[(key,)], f"{key} is empty; {hint}")


def _dangling_mapping(data: dict[str, Any], builder: _Builder) -> Iterator[Problem]:
    statuses, mapping = data.get("statuses"), data.get("mapping")
    if not isinstance(statuses, dict) or not isinstance(mapping, dict):
        return
    for category in CATEGORIES:
        external_id = mapping.get(category.value)
        if (
            isinstance(external_id, str)
            and external_id
            and external_id not in statuses
            and external_id not in builder.rejected_status_ids
        ):
            line, col = builder.positions[("mapping", category.value)]
            known = ", ".join(repr(k) for k in statuses) or "none"
            yield Problem(
                builder.name,
                line,
                col,
                f"mapping {category.value} points at status {external_id!r}, which is not in "
                f"statuses (known: {known}); add the status or change the mapping",
            )


def _nearest(positions: dict[Location, tuple[int, int]], loc: Location) -> tuple[int, int]:
    while loc and loc not in positions:
        loc = loc[:-1]
    return positions.get(loc, (1, 1))


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _alias_budget(root: Node) -> int:
    """How many node visits building may take: each distinct node once, plus a small allowance."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return len(seen) + MAX_ALIAS_EXPANSION


class _AliasBombError(Exception):
    pass


class _Builder:
    """Turns the node tree into plain data, collecting problems instead of stopping at the first."""

    def __init__(self, name: str, budget: int) -> None:
        self.name = name
        self.budget = budget
        self.problems: list[Problem] = []
        # Where each key is (keys are located at the key: "unknown key" points at the key).
        self.positions: dict[Location, tuple[int, int]] = {}
        # Where each written scalar value is, and its text as written, for messages about values.
        self.values: dict[Location, tuple[tuple[int, int], str]] = {}
        # Values already reported here; the schema check must not report them a second time.
        self.invalid: set[Location] = set()
        # Status ids reported as unquoted numbers, dates...: a mapping onto one is not dangling.
        self.rejected_status_ids: set[str] = set()
        # Collections being built right now: meeting one again means an alias contains itself.
        self._open: set[int] = set()

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.name, *_pos(node), message))

    def build(self, node: Node, loc: Location) -> Any:
        try:
            return self._node(node, loc)
        except _AliasBombError:
            self.problems = [
                Problem(
                    self.name,
                    *_pos(node),
                    "YAML anchors and aliases expand to too many values "
                    f"(more than {MAX_ALIAS_EXPANSION} repeated); write the values out",
                )
            ]
            return None

    def _node(self, node: Node, loc: Location) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _AliasBombError
        self.positions.setdefault(loc, _pos(node))
        if not isinstance(node, MappingNode | SequenceNode):
            return self._scalar(node, loc, is_key=False)
        if id(node) in self._open:
            self.problem(node, "an alias here repeats a value that contains the alias itself, "
                         "which never ends; write the value out instead")  # fmt: skip
            self.invalid.add(loc)
            return None
        if len(loc) >= MAX_DEPTH:
            self.problem(
                node, f"the YAML is nested too deeply (more than {MAX_DEPTH} levels); flatten it"
            )
            self.invalid.add(loc)
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, loc)
            return [self._node(item, (*loc, str(i))) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: MappingNode, loc: Location) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        key_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key cannot be a list or mapping; write a single "
                             "value such as a name or a quoted id")  # fmt: skip
                continue
            if str(key_node.tag) == _TAG + "merge":
                self.problem(key_node, "merge keys (<<) are not supported; write the keys out")
                continue
            key = self._scalar(key_node, loc, is_key=True)
            if key is _INVALID:
                if loc == ("statuses",):
                    self.rejected_status_ids.add(key_node.value)
                continue
            if key in key_lines:
                self.problem(
                    key_node,
                    f"duplicate key {key!r} (first defined on line {key_lines[key]}); "
                    "each key may appear only once, so remove or merge one of them",
                )
                continue
            key_lines[key] = key_node.start_mark.line + 1
            child = (*loc, str(key))
            self.positions[child] = _pos(key_node)
            result[key] = self._node(value_node, child)
            self.positions[child] = _pos(key_node)
        return result

    def _scalar(self, node: Node, loc: Location, *, is_key: bool) -> Any:
        assert isinstance(node, ScalarNode)  # noqa: S101 - callers pass scalars only
        tag = str(node.tag).removeprefix(_TAG)
        raw: str = node.value
        if not is_key and (raw or node.style):
            # An empty plain value (`key:`) has no position of its own; it stays at the key.
            self.values[loc] = (_pos(node), raw)
        if _expects_external_id(loc, is_key=is_key):
            return self._external_id(node, loc, tag, raw, is_key=is_key)
        if loc == ("integration_id",) and tag == "int":
            return self._integration_id(node, raw)
        if tag == "str":
            if len(loc) == 3 and loc[0] == "statuses" and (problem := text_problem(raw)):
                what = f"the {loc[2]} text of status {loc[1]!r}"
                self.problem(node, text_message(what, raw, problem, node.style))
                self.invalid.add(loc)
                return _INVALID
            return raw
        if tag == "int":
            number = _to_int(raw)
            return raw if number is None else number
        if tag == "bool":
            return raw.lower() == "true"
        if tag == "null":
            if is_key:
                self.problem(node, f'a key cannot be null; quote it ("{raw}") if it is text')
                return _INVALID
            return None
        if tag == "float":
            return float(raw)
        # Dates and custom tags (!foo) have no meaning of their own in this format: keep the text.
        return raw

    def _external_id(
        self, node: ScalarNode, loc: Location, tag: str, raw: str, *, is_key: bool
    ) -> Any:
        what = f"status id {raw}" if is_key else f"mapping {loc[1]}: {raw}"
        if tag == "str" and raw and (problem := text_problem(raw)):
            name = f"status id {raw!r}" if is_key else f"the status id {raw!r} of mapping {loc[1]}"
            self.problem(node, text_message(name, raw, problem, node.style))
            if not is_key:
                self.invalid.add(loc)
            return _INVALID
        if tag == "str" and raw:
            return raw
        if tag == "null" and not is_key:
            return None  # an unmapped category
        if tag == "int" and _PLAIN_DECIMAL.fullmatch(raw):
            return raw
        if tag == "str":
            message = (
                "a status id cannot be empty; write the shop's id of the status"
                if is_key
                else f"mapping {loc[1]} is empty; write a status id, or null to leave it unmapped"
            )
        else:
            kind = _TAG_NAMES.get(tag, f"a {tag} value")
            number = _to_int(raw) if tag == "int" else None
            if number is not None:
                kind = f"the number {number}"
            message = f'{what} is read as {kind}, not as text; quote it ("{raw}") so it stays text'
        self.problem(node, message)
        if not is_key:
            self.invalid.add(loc)
        return _INVALID

    def _integration_id(self, node: ScalarNode, raw: str) -> Any:
        """Plain decimal digits only, as external ids: `0o17`, `0x1F`, `0123` or `1_000` mean
        different numbers to different YAML readers (a YAML 1.1 reader sees 0123 as 83)."""
        plain = _PLAIN_DECIMAL.fullmatch(raw.removeprefix("-"))
        if plain and len(raw) <= _MAX_ID_DIGITS:
            return int(raw)
        self.problem(node, integration_id_message(raw, None if plain else _to_int(raw)))
        self.invalid.add(("integration_id",))
        return _INVALID


_INVALID: Any = object()
# Sendcloud's ids are 64-bit integers at most (19 digits); a longer one is a mistake, and
# Python refuses to convert more than 4,300 digits at all.
_MAX_ID_DIGITS = 19  # with a minus sign: `-5` is left to the schema's "above 0"


def _to_int(raw: str) -> int | None:
    """The number a YAML 1.2 reader sees in an int-tagged scalar, or None if it is absurd."""
    digits = raw.replace("_", "")
    try:
        if len(digits) > _MAX_ID_DIGITS + 3:  # room for a sign and a 0x/0o prefix
            return None
        prefixed = digits.lower().lstrip("+-").startswith(("0x", "0o"))
        return int(digits, 0) if prefixed else int(digits)
    except ValueError:
        return None


def _expects_external_id(loc: Location, *, is_key: bool) -> bool:
    """Status keys under ``statuses`` and the values under ``mapping`` are external ids."""
    if loc == ("statuses",):
        return is_key
    return len(loc) == 2 and loc[0] == "mapping" and loc[1] in CATEGORIES and not is_key
