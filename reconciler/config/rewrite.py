"""Writing desired-state files: ruamel.yaml round-trip edits that keep what a person wrote.

``import`` and ``adopt`` both go through `rewrite`: it loads the text in round-trip mode, makes
the managed sections equal to a given state and dumps it again, so comments, key order, quoting
and indentation survive. ``import`` rewrites a small skeleton, so a new file and an adopted file
are laid out by the same rules: new statuses are appended in natural order ("2" before "10"),
new translations in language order, and external ids are written double-quoted so they stay text.

ruamel.yaml keeps a comment line with the value *before* it (a comment above status "4" belongs
to the last translation of status "3"), which is wrong for deletion and insertion. `_Layout`
re-assigns such lines to the entry they precede while the entries are edited, then puts them
back where ruamel expects them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from reconciler.changes import natural_key
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.model import CATEGORIES, Category, DesiredState, Language, LiveState, StatusMapping

Statuses = Mapping[str, Mapping[Language, str]]
MappedIds = Mapping[Category, str | None]
# Per category: the comment written on the mapping line, and the warning printed.
Notes = dict[Category, tuple[str, str]]

DEFAULT_INDENT = 2
_EOL_SLOT = 2  # ruamel's index of "the comment after this entry's value" in ca.items[key]
_PRE_SLOT = 1  # ... and of "comment lines before this key" (after a flow-style value)
_START_SLOT = 3  # ... and of "comment lines after `key:`" when that line has no comment


class _Representer(RoundTripRepresenter):
    """Writes None as ``null``: round-trip mode would leave ``CANCEL:`` empty."""

    def represent_none(self, data: None) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:null", "null")


_Representer.add_representer(type(None), _Representer.represent_none)


def _yaml(indent: int) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long status name onto a second line
    yaml.indent(mapping=indent, sequence=indent + 2, offset=indent)
    return yaml


def skeleton(integration_id: int, header: list[str]) -> str:
    """A file with no statuses and an unmapped mapping, to `rewrite` into an imported file."""
    comments = [f"# {line}".rstrip() for line in header]
    lines = [f"integration_id: {integration_id}", "statuses: {}", "mapping:"]
    lines += [f"  {category.value}: null" for category in CATEGORIES]
    return "\n".join([*comments, *lines]) + "\n"


def rewrite(
    text: str,
    *,
    statuses: Statuses | None,
    mapping: MappedIds | None,
    notes: Mapping[Category, str] | None = None,
) -> str:
    """``text`` with its ``statuses`` and ``mapping`` sections made equal to the given ones.

    None leaves a section as it is; the sections given must be present in ``text``. ``notes``
    become end-of-line comments on mapping entries that have none.
    """
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    indent = load_yaml_guess_indent(text)[1] or DEFAULT_INDENT
    yaml = _yaml(indent)
    doc = yaml.load(text)
    if statuses is not None:
        _sync_statuses(doc, statuses)
    if mapping is not None:
        _sync_mapping(doc["mapping"], mapping, notes or {})
    stream = io.StringIO()
    yaml.dump(doc, stream)
    result = stream.getvalue()
    return result.replace("\n", "\r\n") if crlf else result


def _sync_statuses(doc: CommentedMap, target: Statuses) -> None:
    section: CommentedMap = doc["statuses"]
    was_empty = not section
    layout = _Layout(doc, "statuses")
    present = {str(key): key for key in section}
    deleted = {key for external_id, key in present.items() if external_id not in target}
    layout.forget(deleted)
    for key in deleted:
        del section[key]
    for external_id, key in present.items():
        if key not in deleted:
            _sync_translations(section, key, target[external_id])
    for external_id in sorted(set(target) - set(present), key=natural_key):
        translations = CommentedMap(
            (language, _text(text)) for language, text in sorted(target[external_id].items())
        )
        section[DoubleQuotedScalarString(external_id)] = translations
    if was_empty and section:
        section.fa.set_block_style()
    elif not section:
        section.fa.set_flow_style()  # `statuses: {}`, with any comment after the braces
    layout.restore()


def _sync_translations(section: CommentedMap, key: Any, target: Mapping[Language, str]) -> None:
    translations: CommentedMap = section[key]
    layout = _Layout(section, key)
    removed = {language for language in translations if language not in target}
    layout.forget(removed)
    for language in removed:
        del translations[language]
    for language, text in target.items():
        old = translations.get(language)
        if language in translations and old != text:
            translations[language] = _text(_styled_like(old, text, default=str))
    for language in sorted(set(target) - set(translations)):
        translations[language] = _text(target[language])
    layout.restore()


def _sync_mapping(section: CommentedMap, target: MappedIds, notes: Mapping[Category, str]) -> None:
    for category in CATEGORIES:
        old = section.get(category.value)
        new = target[category]
        if (None if old is None else str(old)) != new:
            section[category.value] = (
                None if new is None else _styled_like(old, new, default=DoubleQuotedScalarString)
            )
        if category in notes:
            _add_note(section, category.value, notes[category])


def _styled_like(old: Any, new: str, *, default: type[str]) -> str:
    """``new`` quoted the way ``old`` was, when ``old`` was quoted; else in the default style."""
    style: type[str] = default
    if isinstance(old, SingleQuotedScalarString | DoubleQuotedScalarString):
        style = type(old)
    return style(new)


def _text(value: str) -> str:
    """Status text as written; double-quoted (escaped) when it holds a line break or control."""
    if isinstance(value, DoubleQuotedScalarString) or value.isprintable():
        return value
    return DoubleQuotedScalarString(value)  # type: ignore[no-any-return]


def _add_note(section: CommentedMap, key: str, note: str) -> None:
    token = _token((section, key))
    eol, rest = _split(token)
    if eol or section.fa.flow_style():
        return  # the user's own comment on that line stays; `{...}` has no room for one
    column = section.lc.key(key)[1]
    value_width = len(_dump_scalar(section[key]))
    mark = CommentMark(column + len(key) + 2 + value_width + 2)
    section.ca.items.setdefault(key, [None, None, None, None])
    section.ca.items[key][_EOL_SLOT] = CommentToken(f"# {note}\n" + rest, mark)


def _dump_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString):
        return f'"{value}"'
    return str(value)


def live_mapping(live: LiveState) -> tuple[dict[Category, str | None], Notes]:
    """The live mapping as a file can hold it: entries Sendcloud marks invalid become null.

    Such an entry points at a status that no longer exists; a file mapping onto it would not
    pass ``validate``, so it is written unmapped, with a comment and a warning saying why.
    """
    mapping: dict[Category, str | None] = {}
    notes: Notes = {}
    for category in CATEGORIES:
        entry = live.mapping[category]
        if entry.is_valid or entry.external_id is None:
            mapping[category] = entry.external_id
            continue
        mapping[category] = None
        notes[category] = (
            f"live mapping pointed at status {entry.external_id!r}, which was deleted",
            f"live mapping {category.value} points at status {entry.external_id!r}, which no "
            "longer exists; written as null (unmapped): map it to a status here or in Sendcloud",
        )
    return mapping, notes


def verify_rewrite(
    text: str,
    path: str,
    *,
    statuses: Statuses | None,
    mapping: MappedIds | None,
    base: DesiredState | None = None,
) -> None:
    """Refuse to write ``text`` unless it is a valid file holding exactly the intended state."""
    from reconciler.config.loader import parse

    try:
        written = parse(text, path).state
    except ConfigError as exc:
        problems = "; ".join(p.message for p in exc.problems)
        raise ReconcilerError(
            f"the live state cannot be written as a valid file ({problems})"
        ) from None
    expected_statuses = (
        {ext: dict(translations) for ext, translations in statuses.items()}
        if statuses is not None
        else (base.statuses if base is not None else None)
    )
    expected_mapping = (
        StatusMapping.from_dict(dict(mapping))
        if mapping is not None
        else (base.mapping if base is not None else None)
    )
    if written.statuses != expected_statuses or written.mapping != expected_mapping:
        raise ReconcilerError(
            "the rewritten file would not match the live state (a bug in reconciler); "
            "please report it with the file"
        )


# --- comment layout --------------------------------------------------------------------------

Slot = tuple[CommentedMap, Any]  # the entry whose trailing comment token we mean


class _Layout:
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


def _token(slot: Slot) -> CommentToken | None:
    owner, key = slot
    entry = owner.ca.items.get(key)
    token = entry[_EOL_SLOT] if entry else None
    return token if isinstance(token, CommentToken) else None


def _split(token: CommentToken | None) -> tuple[str, str]:
    """(end-of-line comment with its newline, or ""; the whole lines after it)."""
    if token is None:
        return "", ""
    value = token.value
    if not value or value.startswith("\n"):
        return "", value[1:]
    eol, _, rest = value.partition("\n")
    return eol + "\n", rest


def _take_rest(slot: Slot) -> str:
    rest = _split(_token(slot))[1]
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
    token = _token(slot)
    eol, _ = _split(token)
    _set_token(slot, (eol or "\n") + rest, token.start_mark if token else CommentMark(0))


def _set_token(slot: Slot, value: str, mark: Any) -> None:
    token = _token(slot)
    if token is not None:
        # Mutated in place: a nested mapping shares this token as its own start comment.
        token.value = value
        return
    if value == "\n":
        return
    owner, key = slot
    entry = owner.ca.items.setdefault(key, [None, None, None, None])
    entry[_EOL_SLOT] = CommentToken(value, mark)


def _heading(before: str) -> str:
    """The part of a comment block that a blank line separates from the entry below it."""
    lines = before.splitlines(keepends=True)
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    if not blanks:
        return ""
    above = lines[: blanks[-1] + 1]
    return "".join(above) if any(line.strip() for line in above) else ""
