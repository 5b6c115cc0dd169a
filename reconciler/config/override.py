"""Adopting live values into a file that extends bases: overrides in the integration's own file.

A value that differs live is written where it was set when that is the integration's own file;
when a base set it, it becomes an override in the integration's own file (a base is shared by
other shops, so adopt never edits it). `overrides` works out the edits (``null`` removes a base's
status or language), `apply_overrides` makes them with ruamel's round-trip editor so comments
and layout stay, and `check_overrides` refuses to write a file that would not resolve to the
live state.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from reconciler.changes import Change, MappingChange, StatusCreate, StatusDelete, StatusUpdate
from reconciler.config.files import parse_rewritten
from reconciler.config.layers import read_layer
from reconciler.config.merge import Merge
from reconciler.config.resolve import DesiredFile, Resolver
from reconciler.config.rewrite import DEFAULT_INDENT, _text, _yaml
from reconciler.errors import ReconcilerError
from reconciler.model import Category, Language
from reconciler.project import Project

_BOM = "\ufeff"
DROP: Any = object()  # the key leaves the file (it only ever existed there)


@dataclass
class Overrides:
    """Edits to the own file: per status None (remove), DROP, or per-language text/None/DROP."""

    statuses: dict[str, Any] = field(default_factory=dict)
    mapping: dict[Category, str | None] = field(default_factory=dict)


def base_only(desired: DesiredFile) -> Merge:
    """The state the bases alone give (without the integration's own file)."""
    resolver = Resolver(Project.none())
    merged = Merge(desired.path)
    for layer in resolver.chain(read_layer(desired.path, "integration"))[:-1]:
        merged.apply(layer)
    return merged


def overrides(changes: list[Change], base: Merge) -> Overrides:
    """Edits that take the resolved file to the live state; ``changes`` read "file → live"."""
    base_statuses = base.statuses or {}
    edits = Overrides()
    for change in changes:
        if isinstance(change, MappingChange):
            edits.mapping[change.category] = change.new
        elif isinstance(change, StatusCreate):
            texts: dict[Any, Any] = dict(change.translations)
            # Back over a base's status this file removed: its other languages must go too.
            for language in base_statuses.get(change.external_id, {}):
                texts.setdefault(language, None)
            edits.statuses[change.external_id] = texts
        elif isinstance(change, StatusDelete):
            in_base = change.external_id in base_statuses
            edits.statuses[change.external_id] = None if in_base else DROP
        elif isinstance(change, StatusUpdate):
            texts = edits.statuses.setdefault(change.external_id, {})
            inherited = base_statuses.get(change.external_id, {})
            for t in change.translations:
                if t.new is not None:
                    texts[t.language] = t.new
                else:
                    texts[t.language] = None if t.language in inherited else DROP
    return edits


def apply_overrides(text: str, edits: Overrides) -> str:
    """``text`` with ``edits`` made; a byte-order mark and CRLF line endings are kept."""
    crlf = "\r\n" in text
    bom = text.startswith(_BOM)  # ruamel drops it; a pull request would show line 1 changed
    text = text.removeprefix(_BOM).replace("\r\n", "\n")
    indent = load_yaml_guess_indent(text)[1] or DEFAULT_INDENT
    yaml = _yaml(indent)
    doc = yaml.load(text)
    if edits.statuses:
        section = _section(doc, "statuses")
        for external_id, texts in edits.statuses.items():
            key = _key(section, external_id)
            if texts is DROP:
                section.pop(key, None)
            elif texts is None or isinstance(section.get(key), type(None)) or key not in section:
                section[key] = None if texts is None else _translations(texts)
            else:
                _edit_translations(section[key], texts)
                if not section[key]:
                    # Every text this file gave the status is gone live: what is left is the
                    # base's status as it is, which needs no entry here (an empty one is
                    # invalid).
                    section.pop(key)
    if edits.mapping:
        mapping = _section(doc, "mapping")
        for category, mapped in edits.mapping.items():
            mapping[category.value] = None if mapped is None else DoubleQuotedScalarString(mapped)
    stream = io.StringIO()
    yaml.dump(doc, stream)
    result = stream.getvalue()
    result = result.replace("\n", "\r\n") if crlf else result
    return _BOM + result if bom else result


def _section(doc: CommentedMap, name: str) -> CommentedMap:
    if not isinstance(doc.get(name), CommentedMap):
        doc[name] = CommentedMap()
    section: CommentedMap = doc[name]
    if section.fa.flow_style():
        section.fa.set_block_style()
    return section


def _key(section: CommentedMap, external_id: str) -> Any:
    for key in section:
        if str(key) == external_id:
            return key
    return DoubleQuotedScalarString(external_id)


def _translations(texts: Mapping[Language, Any]) -> CommentedMap:
    return CommentedMap(
        (lang, text if text is None else _text(text))
        for lang, text in sorted(texts.items())
        if text is not DROP
    )


def _edit_translations(section: CommentedMap, texts: Mapping[Language, Any]) -> None:
    for language, text in texts.items():
        if text is DROP:
            section.pop(language, None)
        else:
            section[language] = text if text is None else _text(text)


def check_overrides(
    text: str, desired: DesiredFile, statuses: Mapping[str, Any] | None, mapping: Any
) -> None:
    """Refuse to write ``text`` unless it resolves to exactly the intended state."""
    written = parse_rewritten(
        text, desired.path, unmanaged=desired.unmanaged, what="valid overrides"
    )
    got = {k: dict(v) for k, v in (written.statuses or {}).items()}
    if (statuses is not None and got != statuses) or (
        mapping is not None and (written.mapping and written.mapping.as_dict()) != mapping
    ):
        raise ReconcilerError(
            "the rewritten file would not resolve to the live state (a bug in reconciler); "
            "please report it with the file"
        )
