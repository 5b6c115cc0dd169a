"""Comment lines around mapping entries, kept with the entry they belong to while it is edited.

ruamel.yaml keeps a comment line with the value *before* it (a comment above status "4" belongs
to the last translation of status "3"), which is wrong for deletion and insertion. `Layout`
re-assigns such lines to the entry they precede while the entries are edited, then puts them
back where ruamel expects them. Used by `reconciler.config.rewrite` and `.override`.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

EOL_SLOT = 2  # ruamel's index of "the comment after this entry's value" in ca.items[key]
_PRE_SLOT = 1  # ... and of "comment lines before this key" (after a flow-style value)
_START_SLOT = 3  # ... and of "comment lines after `key:`" when that line has no comment

Slot = tuple[CommentedMap, Any]  # the entry whose trailing comment token we mean


class Layout:
    """The comment lines of one mapping, held by the entry they precede while it is edited."""

    def __init__(self, parent: CommentedMap, key: Any) -> None:
        self.head: Slot = (parent, key)
        self.section: CommentedMap = parent[key]
        self.active = not (self.section and self.section.fa.flow_style())
        self.before: dict[Any, str] = {}
        self.tail = ""
        if not self.active:
            return
        keys = list(self.section)
        slots = [self.head, *(_deepest_last(self.section, k) for k in keys)]
        for index, entry in enumerate(keys):
            self.before[entry] = _take_rest(slots[index]) + _take_pre_list(self.section, entry)
        if keys:
            self.before[keys[0]] += _take_start_list(parent, key)
        self.tail = _take_rest(slots[-1])

    def forget(self, removed: set[Any]) -> None:
        """Drop the comments of removed entries, except a block above a blank line (a heading)."""
        if not self.active:
            return
        carried = ""
        for entry in list(self.before):
            if entry in removed:
                carried += _heading(self.before.pop(entry))
            else:
                self.before[entry] = carried + self.before[entry]
                carried = ""
        self.tail = carried + self.tail

    def restore(self) -> None:
        if not self.active:
            return
        keys = list(self.section)
        slots = [self.head, *(_deepest_last(self.section, k) for k in keys)]
        for index, entry in enumerate(keys):
            _put_rest(slots[index], self.before.get(entry, ""))
        _put_rest(slots[-1], self.tail)


def _deepest_last(section: CommentedMap, key: Any) -> Slot:
    """Where ruamel keeps the comment lines that follow this entry: its innermost last value."""
    value = section[key]
    if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
        return _deepest_last(value, list(value)[-1])
    return section, key


def comment_token(slot: Slot) -> CommentToken | None:
    owner, key = slot
    entry = owner.ca.items.get(key)
    token = entry[EOL_SLOT] if entry else None
    return token if isinstance(token, CommentToken) else None


def split_comment(token: CommentToken | None) -> tuple[str, str]:
    """(end-of-line comment with its newline, or ""; the whole lines after it)."""
    if token is None:
        return "", ""
    value = token.value
    if not value or value.startswith("\n"):
        return "", value[1:]
    eol, _, rest = value.partition("\n")
    return eol + "\n", rest


def _take_rest(slot: Slot) -> str:
    rest = split_comment(comment_token(slot))[1]
    _put_rest(slot, "")
    return rest


def _take_pre_list(section: CommentedMap, key: Any) -> str:
    entry = section.ca.items.get(key)
    if not entry or not entry[_PRE_SLOT]:
        return ""
    tokens = entry[_PRE_SLOT]
    entry[_PRE_SLOT] = None
    return "".join(" " * t.start_mark.column + t.value for t in tokens)


def _take_start_list(parent: CommentedMap, key: Any) -> str:
    """Comment lines between ``key:`` (with no comment of its own) and its first entry."""
    entry = parent.ca.items.get(key)
    tokens = entry[_START_SLOT] if entry and len(entry) > _START_SLOT else None
    if not tokens:
        return ""
    entry[_START_SLOT] = None
    child = parent[key]
    if child.ca.comment and child.ca.comment[_PRE_SLOT] is tokens:
        child.ca.comment[_PRE_SLOT] = None
    return "".join(" " * t.start_mark.column + t.value for t in tokens)


def _put_rest(slot: Slot, rest: str) -> None:
    token = comment_token(slot)
    eol, _ = split_comment(token)
    _set_token(slot, (eol or "\n") + rest, token.start_mark if token else CommentMark(0))


def _set_token(slot: Slot, value: str, mark: Any) -> None:
    token = comment_token(slot)
    if token is not None:
        # Mutated in place: a nested mapping shares this token as its own start comment.
        token.value = value
        return
    if value == "\n":
        return
    owner, key = slot
    entry = owner.ca.items.setdefault(key, [None, None, None, None])
    entry[EOL_SLOT] = CommentToken(value, mark)


def _heading(before: str) -> str:
    """The part of a comment block that a blank line separates from the entry below it."""
    lines = before.splitlines(keepends=True)
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    if not blanks:
        return ""
    above = lines[: blanks[-1] + 1]
    return "".join(above) if any(line.strip() for line in above) else ""
