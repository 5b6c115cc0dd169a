"""Writing desired-state files: ruamel.yaml round-trip edits that keep what a person wrote.

``import`` and ``adopt`` both go through `rewrite`: it loads the text in round-trip mode, makes
the managed sections equal to a given state and dumps it again, so comments, key order, quoting
and indentation survive. ``import`` rewrites a small skeleton, so a new file and an adopted file
are laid out by the same rules: new statuses are appended in natural order ("2" before "10"),
new translations in language order, and external ids are written double-quoted so they stay text.

The rewrite is as faithful as the reader is tolerant: a UTF-8 byte-order mark and CRLF line
endings are kept, and a status that shares its texts with another through an anchor and alias is
written out in full where (and only where) it changes. Comment lines stay with the entry they
precede while entries are deleted and inserted (`reconciler.config.layout`); checking the result
is `reconciler.config.files`', writing it `reconciler.files`'. A file that extends bases is
adopted by `reconciler.config.override`.
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
from reconciler.config.files import (  # re-exported: import and adopt take all from here
    MappedIds,
    Notes,
    Statuses,
    live_mapping,
    verify_rewrite,
)
from reconciler.config.layout import EOL_SLOT, Layout, comment_token, split_comment
from reconciler.model import CATEGORIES, Category, Language

__all__ = [
    "MappedIds",
    "Notes",
    "Statuses",
    "live_mapping",
    "rewrite",
    "skeleton",
    "verify_rewrite",
]

DEFAULT_INDENT = 2
_BOM = "\ufeff"


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
    bom = text.startswith(_BOM)  # ruamel drops it; a pull request would show line 1 changed
    text = text.removeprefix(_BOM).replace("\r\n", "\n")
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
    result = result.replace("\n", "\r\n") if crlf else result
    return _BOM + result if bom else result


def _sync_statuses(doc: CommentedMap, target: Statuses) -> None:
    section: CommentedMap = doc["statuses"]
    was_empty = not section
    layout = Layout(doc, "statuses")
    present = {str(key): key for key in section}
    deleted = {key for external_id, key in present.items() if external_id not in target}
    layout.forget(deleted)
    for key in deleted:
        del section[key]
    for external_id, key in present.items():
        if key not in deleted:
            if _is_shared(section, key) and dict(section[key]) != dict(target[external_id]):
                section[key] = _unshared(section[key])
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


def _is_shared(section: CommentedMap, key: Any) -> bool:
    """Whether this status's texts are one mapping with another's (``"11": *paid``)."""
    value = section[key]
    return any(other is value for k, other in section.items() if k != key)


def _unshared(translations: CommentedMap) -> CommentedMap:
    """A copy of an aliased mapping, so changing one status does not change the others with it.

    The alias is expanded where the change is; the anchor and the other aliases stay as written.
    """
    copy = CommentedMap(translations.items())
    if translations.fa.flow_style():
        copy.fa.set_flow_style()
    return copy


def _sync_translations(section: CommentedMap, key: Any, target: Mapping[Language, str]) -> None:
    translations: CommentedMap = section[key]
    layout = Layout(section, key)
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
    token = comment_token((section, key))
    eol, rest = split_comment(token)
    if eol or section.fa.flow_style():
        return  # the user's own comment on that line stays; `{...}` has no room for one
    column = section.lc.key(key)[1]
    value_width = len(_dump_scalar(section[key]))
    mark = CommentMark(column + len(key) + 2 + value_width + 2)
    section.ca.items.setdefault(key, [None, None, None, None])
    section.ca.items[key][EOL_SLOT] = CommentToken(f"# {note}\n" + rest, mark)


def _dump_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString):
        return f'"{value}"'
    return str(value)
