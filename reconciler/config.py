"""Desired-state files → ``DesiredState``, every mistake located as ``file:line:col``.

The YAML is read at the node level (ruamel.yaml's composer) rather than loaded into Python
objects, for three reasons: every value keeps its line and column; duplicate keys, merge keys and
alias expansion can be checked before anything is built; and the loader sees how a scalar was
written, so ``4`` can be accepted as the external id "4" while ``04``, ``4.0``, ``yes`` or a date
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
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config_messages import describe_validation_error
from reconciler.errors import ConfigError, Problem
from reconciler.model import CATEGORIES, DesiredState

MAX_FILE_BYTES = 1024 * 1024
# Aliases may repeat at most this many nodes in total: enough for any sane reuse of a
# translation block, far too few for a "billion laughs" file to cost anything.
MAX_ALIAS_EXPANSION = 1000
YAML_SUFFIXES = (".yaml", ".yml")

_TAG = "tag:yaml.org,2002:"
_PLAIN_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_TAG_NAMES = {
    "float": "a number with a fraction",
    "bool": "a boolean",
    "null": "null",
    "timestamp": "a date",
    "int": "a number",
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
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_walk_yaml(path))
            if not found:
                problems.append(
                    Problem(str(path), 1, 1, "no *.yaml or *.yml files in this directory")
                )
            files.extend(found)
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, 1, "no such file or directory"))
    unique = list(dict.fromkeys(files))
    return unique, problems


def _walk_yaml(directory: Path) -> Iterator[Path]:
    # os.walk does not follow directory symlinks, so a symlink loop cannot recurse forever.
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.endswith(YAML_SUFFIXES):
                yield Path(root, name)


def load_paths(paths: Sequence[str | os.PathLike[str]]) -> list[DesiredFile]:
    """Load every file under ``paths``; raise one ConfigError listing every problem in every file."""
    files, problems = discover(paths)
    loaded: list[DesiredFile] = []
    for path in files:
        try:
            loaded.append(load_file(path))
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


def load_file(path: str | os.PathLike[str]) -> DesiredFile:
    name = str(path)
    text = _read_text(name)
    return parse(text, name)


def _read_text(name: str) -> str:
    def fail(message: str, line: int = 1, col: int = 1) -> ConfigError:
        return ConfigError([Problem(name, line, col, message)])

    try:
        with open(name, "rb") as handle:
            # Read one byte past the limit instead of trusting stat(): a FIFO or /dev/zero lies.
            data = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise fail("is a directory, expected a YAML file") from None
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail("file is larger than 1 MiB; a desired-state file is a few kilobytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail("file is not valid UTF-8 text; save it as UTF-8", line, col) from None


def parse(text: str, name: str) -> DesiredFile:
    """Parse one file's text. ``name`` is only used in messages."""
    if "\x00" in text:
        raise ConfigError([Problem(name, 1, 1, "file contains NUL bytes; is it a binary file?")])
    try:
        root = YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise ConfigError([Problem(name, line, col, f"invalid YAML: {problem}")]) from None
    except YAMLError as exc:
        raise ConfigError([Problem(name, 1, 1, f"invalid YAML: {exc}")]) from None
    if root is None:
        raise ConfigError(
            [Problem(name, 1, 1, "file is empty; expected a mapping with integration_id")]
        )
    builder = _Builder(name, _alias_budget(root))
    data = builder.build(root, ())
    problems = builder.problems
    if not isinstance(data, dict):
        if not problems:
            message = "expected a mapping with integration_id at the top level"
            problems.append(Problem(name, *_pos(root), message))
        raise ConfigError(problems)
    problems.extend(_explicit_nulls(data, builder.positions, name))
    try:
        state = DesiredState.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(str(part) for part in error["loc"])
            if any(loc[: len(bad)] == bad for bad in builder.invalid):
                continue
            line, col = _nearest(builder.positions, loc)
            problems.append(Problem(name, line, col, describe_validation_error(error, loc)))
    if problems:
        raise ConfigError(problems)
    desired = DesiredFile(name, state, builder.positions)
    dangling = list(_dangling_mapping(desired))
    if dangling:
        raise ConfigError(dangling)
    return desired


def _explicit_nulls(
    data: dict[str, Any], positions: dict[Location, tuple[int, int]], name: str
) -> Iterator[Problem]:
    hints = {
        "statuses": "write `statuses: {}` for no statuses, or remove the key to leave them unmanaged",
        "mapping": "list the four categories, or remove the key to leave the mapping unmanaged",
    }
    for key, hint in hints.items():
        if key in data and data[key] is None:
            yield Problem(name, *positions[(key,)], f"{key} is empty; {hint}")


def _dangling_mapping(desired: DesiredFile) -> Iterator[Problem]:
    state = desired.state
    if state.statuses is None or state.mapping is None:
        return
    for category, external_id in state.mapping.as_dict().items():
        if external_id is not None and external_id not in state.statuses:
            line, col = desired.locate("mapping", category.value)
            known = ", ".join(repr(k) for k in sorted(state.statuses)) or "none"
            yield Problem(
                desired.path,
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
        self.positions: dict[Location, tuple[int, int]] = {}
        # Values already reported here; the schema check must not report them a second time.
        self.invalid: set[Location] = set()

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
        if isinstance(node, MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, SequenceNode):
            return [self._node(item, (*loc, str(i))) for i, item in enumerate(node.value)]
        return self._scalar(node, loc, is_key=False)

    def _mapping(self, node: MappingNode, loc: Location) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        key_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key must be a plain value, not a list or mapping")
                continue
            if str(key_node.tag) == _TAG + "merge":
                self.problem(key_node, "merge keys (<<) are not supported; write the keys out")
                continue
            key = self._scalar(key_node, loc, is_key=True)
            if key is _INVALID:
                continue
            hashable = key if not isinstance(key, list | dict) else repr(key)
            if hashable in key_lines:
                self.problem(
                    key_node,
                    f"duplicate key {key!r} (first defined on line {key_lines[hashable]}); "
                    "a YAML mapping takes each key once",
                )
                continue
            key_lines[hashable] = key_node.start_mark.line + 1
            child = (*loc, str(key))
            # Keys are located at the key itself: "unknown key" should point at the key.
            self.positions[child] = _pos(key_node)
            result[key] = self._node(value_node, child)
            self.positions[child] = _pos(key_node)
        return result

    def _scalar(self, node: Node, loc: Location, *, is_key: bool) -> Any:
        assert isinstance(node, ScalarNode)  # noqa: S101 - callers pass scalars only
        tag = str(node.tag).removeprefix(_TAG)
        raw: str = node.value
        if _expects_external_id(loc, is_key=is_key):
            return self._external_id(node, loc, tag, raw, is_key=is_key)
        if tag == "str":
            return raw
        if tag == "int":
            try:
                return int(raw, 0) if raw.lower().startswith(("0x", "0o")) else int(raw)
            except ValueError:
                return raw
        if tag == "bool":
            return raw.lower() == "true"
        if tag == "null":
            if is_key:
                self.problem(node, "a key cannot be null; quote it if it is text")
                return _INVALID
            return None
        if tag == "float":
            return float(raw)
        # Dates and custom tags (!foo) have no meaning of their own in this format: keep the text.
        return raw

    def _external_id(
        self, node: ScalarNode, loc: Location, tag: str, raw: str, *, is_key: bool
    ) -> Any:
        if tag == "str":
            return raw
        if tag == "null" and not is_key:
            return None  # an unmapped category
        if tag == "int" and _PLAIN_DECIMAL.fullmatch(raw):
            return raw
        kind = _TAG_NAMES.get(tag, f"a {tag} value")
        if tag == "int":
            kind = "a number that would lose its leading zeros or sign"
        self.problem(
            node,
            f'external_id {raw!r} is read as {kind}; quote it ("{raw}") so it stays text',
        )
        if not is_key:
            self.invalid.add(loc)
        return _INVALID


_INVALID: Any = object()


def _expects_external_id(loc: Location, *, is_key: bool) -> bool:
    """Status keys under ``statuses`` and the values under ``mapping`` are external ids."""
    if loc == ("statuses",):
        return is_key
    return len(loc) == 2 and loc[0] == "mapping" and loc[1] in CATEGORIES and not is_key
