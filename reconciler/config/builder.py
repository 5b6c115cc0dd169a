"""YAML node tree → plain data, with the position of every key and value and no silent coercion.

The YAML is read at the node level (ruamel.yaml's composer) rather than loaded into Python
objects, for three reasons: every value keeps its line and column; duplicate keys, merge keys and
alias expansion can be checked before anything is built; and the builder sees how a scalar was
written, so ``4`` can be accepted as the external id "4" while ``04``, ``4.0``, ``true`` or a date
are refused with a hint to quote them rather than silently changing meaning. The values themselves
come from `reconciler.config.scalars`, the one converter (``.nan``, ``1e999``: located errors).
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.messages import (
    describe_location,
    integration_id_message,
    quote_text,
    text_message,
)
from reconciler.config.reader import MAX_DEPTH
from reconciler.config.scalars import MAX_ID_DIGITS, ScalarError, scalar_value, to_int
from reconciler.errors import Problem
from reconciler.model import CATEGORIES, text_problem

# Aliases may repeat at most this many nodes in total: enough for any sane reuse of a
# translation block, far too few for a "billion laughs" file to cost anything.
MAX_ALIAS_EXPANSION = 1000

_TAG = "tag:yaml.org,2002:"
_PLAIN_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_TAG_NAMES = {
    "float": "a decimal number",
    "bool": "a boolean",
    "null": "null (nothing)",
    "timestamp": "a date",
}

Location = tuple[str, ...]


def position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def alias_budget(root: Node) -> int:
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


class Builder:
    """Turns the node tree into plain data, collecting problems instead of stopping at the first."""

    def __init__(self, name: str, root: Node) -> None:
        self.name = name
        self.budget = alias_budget(root)
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

    def nearest(self, loc: Location) -> tuple[int, int]:
        """Position of ``loc``, or of its nearest ancestor that has one."""
        while loc and loc not in self.positions:
            loc = loc[:-1]
        return self.positions.get(loc, (1, 1))

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.name, *position(node), message))

    def build(self, node: Node, loc: Location) -> Any:
        try:
            return self._node(node, loc)
        except _AliasBombError:
            self.problems = [
                Problem(
                    self.name,
                    *position(node),
                    "YAML anchors and aliases expand to too many values "
                    f"(more than {MAX_ALIAS_EXPANSION} repeated); write the values out",
                )
            ]
            return None

    def _node(self, node: Node, loc: Location) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _AliasBombError
        self.positions.setdefault(loc, position(node))
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
            self.positions[child] = position(key_node)
            result[key] = self._node(value_node, child)
            self.positions[child] = position(key_node)
        return result

    def _scalar(self, node: Node, loc: Location, *, is_key: bool) -> Any:
        assert isinstance(node, ScalarNode)  # noqa: S101 - callers pass scalars only
        tag = str(node.tag).removeprefix(_TAG)
        raw: str = node.value
        if not is_key and (raw or node.style):
            # An empty plain value (`key:`) has no position of its own; it stays at the key.
            self.values[loc] = (position(node), raw)
        if _expects_external_id(loc, is_key=is_key):
            return self._external_id(node, loc, tag, raw, is_key=is_key)
        if loc[-2:-1] == ("unmanaged",) and tag == "int" and _PLAIN_DECIMAL.fullmatch(raw):
            # `unmanaged: [12]` names the status "12", as a status key `12:` does.
            return raw
        if loc == ("integration_id",) and tag == "int":
            return self._integration_id(node, raw)
        if tag == "str":
            if len(loc) == 3 and loc[0] == "statuses" and (problem := text_problem(raw)):
                what = f"the {loc[2]} text of status {loc[1]!r}"
                self.problem(node, text_message(what, raw, problem, node.style))
                self.invalid.add(loc)
                return _INVALID
            return raw
        if tag == "null" and is_key:
            self.problem(node, f'a key cannot be null; quote it ("{raw}") if it is text')
            return _INVALID
        try:
            # A date has no meaning of its own here: it keeps its text (other tags: the reader).
            return scalar_value(tag, raw)
        except ScalarError as exc:
            if len(loc) == 3 and loc[0] == "statuses" and not is_key:
                # A status text: the one thing to do is to quote it.
                message = (
                    f"{describe_location(loc)} is read as {exc.kind}, not as text; put it in "
                    f"quotes ({quote_text(raw)}) if that is the text you want"
                )
            else:
                message = f"{'a key' if is_key else describe_location(loc)}: {exc}"
            self.problem(node, message)
            if not is_key:
                self.invalid.add(loc)
            return _INVALID

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
            number = to_int(raw) if tag == "int" else None
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
        number, message = read_integration_id(raw)
        if message is None:
            return number
        self.problem(node, message)
        self.invalid.add(("integration_id",))
        return _INVALID


_INVALID: Any = object()
_MAX_ID_DIGITS = MAX_ID_DIGITS  # with a minus sign: `-5` is left to the schema's "above 0"


def read_integration_id(raw: str, what: str = "integration_id") -> tuple[int, str | None]:
    """An int-tagged integration id as written (``raw``): the number, or why it is refused
    (anything but plain decimal digits, or more than 19 of them), naming it ``what``. The one
    rule for ids in files and in policy selectors."""
    plain = _PLAIN_DECIMAL.fullmatch(raw.removeprefix("-"))
    if plain and len(raw) <= _MAX_ID_DIGITS:
        return scalar_value("int", raw), None
    return 0, integration_id_message(raw, None if plain else to_int(raw), what)


def _expects_external_id(loc: Location, *, is_key: bool) -> bool:
    """Status keys under ``statuses`` and the values under ``mapping`` are external ids."""
    if loc == ("statuses",):
        return is_key
    return len(loc) == 2 and loc[0] == "mapping" and loc[1] in CATEGORIES and not is_key
