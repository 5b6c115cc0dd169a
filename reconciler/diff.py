"""Pure: (desired, live) → ordered changes, plus what the live state itself gets wrong.

deepdiff finds the differences between the two status dictionaries; this module turns its tree
view into typed change objects. Statuses and translations are compared as dictionaries, so their
order is never a difference.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from reconciler.changes import (
    Change,
    MappingChange,
    StatusCreate,
    StatusDelete,
    StatusUpdate,
    TranslationChange,
    describe_changes,
    sorted_changes,
)
from reconciler.model import CATEGORIES, Category, DesiredState, Language, LiveState

Statuses = Mapping[str, Mapping[Language, str]]

# A stale-plan refusal names this many changes, then says "and N more".
_MAX_NAMED = 5


@dataclass(frozen=True)
class IntegrationDiff:
    """What differs for one integration: ordered ``changes`` (live → desired) and the mapping
    entries that are, or would be, invalid."""

    changes: tuple[Change, ...]
    # Live mapping entries Sendcloud itself flags as invalid (pointing at a deleted status).
    invalid_live_mapping: tuple[tuple[Category, str | None], ...]
    # Categories a mapping-only file maps onto a status that is not live: applying would leave
    # Sendcloud with an invalid mapping, so the plan refuses it.
    dangling_mapping: tuple[tuple[Category, str], ...]


def diff_integration(desired: DesiredState, live: LiveState) -> IntegrationDiff:
    """The changes that take ``live`` to ``desired``, for the sections ``desired`` manages."""
    changes: list[Change] = []
    if desired.statuses is not None:
        changes.extend(diff_statuses(desired.statuses, live.statuses))
    dangling: list[tuple[Category, str]] = []
    if desired.mapping is not None:
        wanted = desired.mapping.as_dict()
        changes.extend(diff_mapping(wanted, live.mapped_ids()))
        if desired.statuses is None:
            dangling = [
                (category, external_id)
                for category, external_id in wanted.items()
                if external_id is not None and external_id not in live.statuses
            ]
    invalid = tuple(
        (category, live.mapping[category].external_id)
        for category in CATEGORIES
        if not live.mapping[category].is_valid
    )
    return IntegrationDiff(sorted_changes(changes), invalid, tuple(dangling))


def diff_statuses(desired: Statuses, live: Statuses) -> list[Change]:
    """Status changes from ``live`` (old) to ``desired`` (new), unordered.

    Both are ``{external_id: {language: name}}``; one ``StatusUpdate`` per status whose names
    differ, with its translation changes sorted by language.
    """
    # Most integrations are in sync on most runs: a plain equality test costs microseconds where
    # deepdiff costs about 0.4 ms per integration even when it finds nothing.
    if desired == live:
        return []
    from deepdiff import DeepDiff  # ~0.2 s to import: only commands that diff pay for it

    # threshold_to_diff_deeper=0: by default deepdiff reports two dictionaries that share too few
    # keys as one replaced value; a plan must always say which statuses and languages change.
    tree = DeepDiff(dict(live), dict(desired), view="tree", threshold_to_diff_deeper=0)
    changes: list[Change] = []
    updates: dict[str, list[TranslationChange]] = defaultdict(list)
    for kind, levels in tree.items():
        for level in levels:
            path = level.path(output_format="list")
            if len(path) == 1:
                external_id = str(path[0])
                if kind == "dictionary_item_added":
                    changes.append(StatusCreate(external_id, dict(sorted(level.t2.items()))))
                elif kind == "dictionary_item_removed":
                    changes.append(StatusDelete(external_id, dict(sorted(level.t1.items()))))
                continue
            external_id, language = str(path[0]), cast(Language, path[1])
            old = level.t1 if kind != "dictionary_item_added" else None
            new = level.t2 if kind != "dictionary_item_removed" else None
            if old is not None and new is not None and same_text(old, new):
                continue
            updates[external_id].append(TranslationChange(language, old, new))
    for external_id, translation_changes in updates.items():
        ordered = tuple(sorted(translation_changes, key=lambda t: t.language))
        changes.append(StatusUpdate(external_id, ordered))
    return changes


def same_text(a: str, b: str) -> bool:
    """Whether two status names are the same text: equal after Unicode NFC normalisation.

    macOS input and some editors write decomposed text (``e`` + combining accent, NFD) where
    Sendcloud's panel stores the composed ``é`` (NFC); both display identically, so a plan must
    not show them as a change. Ids are compared exactly: they are the shop's keys.
    """
    return a == b or unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)


def invisible_difference(a: str, b: str) -> str | None:
    """How two different texts differ when they look the same on screen, or None.

    ``"differ only in Unicode normalisation (U+0065 U+0301 in the first, U+00E9 in the
    second)"``: the code points of the part that differs, so a reviewer can tell which is which.
    """
    if a == b:
        return None
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        kind = "Unicode normalisation (decomposed and composed accents)"
    elif unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b):
        kind = "Unicode compatibility characters"
    elif a.split() == b.split():
        kind = "whitespace"
    else:
        return None
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    first, second = a[start : len(a) - end], b[start : len(b) - end]
    return (
        f"differ only in {kind} ({_code_points(first)} in the first, "
        f"{_code_points(second)} in the second)"
    )


def _code_points(text: str) -> str:
    if not text:
        return "nothing"
    shown = " ".join(f"U+{ord(char):04X}" for char in text[:6])
    return shown + (" …" if len(text) > 6 else "")


def look_alike_warnings(changes: Sequence[Change]) -> tuple[str, ...]:
    """Changes whose two sides look identical on screen, each saying how they really differ."""
    created = [c.external_id for c in changes if isinstance(c, StatusCreate)]
    deleted = [c.external_id for c in changes if isinstance(c, StatusDelete)]
    warnings = [
        f"status ids {new!r} (in git) and {old!r} (live) look the same but {how}; "
        "Sendcloud keeps ids exactly as written, so they are two statuses"
        for new in created
        for old in deleted
        if (how := invisible_difference(new, old))
    ]
    for change in changes:
        if isinstance(change, StatusUpdate):
            warnings += [
                f"status {change.external_id!r} {t.language}: the live and git texts look "
                f"the same but {how}"
                for t in change.translations
                if t.old is not None
                and t.new is not None
                and (how := invisible_difference(t.old, t.new))
            ]
    return tuple(warnings)


def diff_mapping(
    desired: Mapping[Category, str | None], live: Mapping[Category, str | None]
) -> list[Change]:
    """One ``MappingChange`` per category of ``desired`` that ``live`` maps elsewhere."""
    return [
        MappingChange(category, live.get(category), desired[category])
        for category in CATEGORIES
        if desired[category] != live.get(category)
    ]


def describe_live_changes(recorded: LiveState, current: LiveState) -> str:
    """How the live state moved since a plan was made, for the stale-plan refusal.

    ``mapping DELIVERED was "4", now unmapped; status "7" removed (en-gb "Paid")``: at most five
    changes named, then ``and N more``. When only Sendcloud's validity flags on the mapping
    differ, says so.
    """
    changes = sorted_changes(
        [
            *diff_statuses(current.statuses, recorded.statuses),
            *diff_mapping(current.mapped_ids(), recorded.mapped_ids()),
        ]
    )
    if not changes:
        return "mapping validity changed"
    return describe_changes(changes, limit=_MAX_NAMED)
