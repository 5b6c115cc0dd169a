"""Change value objects: what differs between the desired and the live state of one integration.

Changes order themselves (statuses before mapping; statuses by external_id in natural order,
mapping by category in the API's order), so a plan prints, hashes and applies the same way on
every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from reconciler.model import CATEGORIES, Category, Language

TranslationMap = dict[Language, str]


# ASCII digits only: `\d` and str.isdigit() also match "²" or "٣", which int() refuses or reads
# as another number; a run is compared by its length, then its digits, never converted to int
# (Python refuses to convert more than 4,300 digits).
_DIGIT_RUN = re.compile(r"([0-9]+)")

NaturalKey = tuple[tuple[tuple[int, int, str] | tuple[int, str], ...], str]


def natural_key(external_id: str) -> NaturalKey:
    """Sort "2" before "10" and "Send-4" after the numbers, as a shop owner would.

    A total order on any text, never raising: digit runs compare as numbers ("007" equals "7"
    and then the whole text breaks the tie), everything else by code point.
    """
    parts: list[tuple[int, int, str] | tuple[int, str]] = []
    for index, part in enumerate(_DIGIT_RUN.split(external_id)):
        if not part:
            continue
        if index % 2:  # re.split puts the captured digit runs at odd indexes
            number = part.lstrip("0") or "0"
            parts.append((0, len(number), number))
        else:
            parts.append((1, part))
    return tuple(parts), external_id


@dataclass(frozen=True)
class TranslationChange:
    language: Language
    old: str | None  # None: the language is added
    new: str | None  # None: the language is removed

    @property
    def kind(self) -> Literal["add", "change", "remove"]:
        if self.old is None:
            return "add"
        if self.new is None:
            return "remove"
        return "change"


@dataclass(frozen=True)
class StatusCreate:
    external_id: str
    translations: TranslationMap
    marker: ClassVar[str] = "+"
    action: ClassVar[str] = "create"

    def sort_key(self) -> tuple[object, ...]:
        return (0, natural_key(self.external_id))


@dataclass(frozen=True)
class StatusUpdate:
    external_id: str
    translations: tuple[TranslationChange, ...]  # sorted by language
    marker: ClassVar[str] = "~"
    action: ClassVar[str] = "update"

    def sort_key(self) -> tuple[object, ...]:
        return (0, natural_key(self.external_id))


@dataclass(frozen=True)
class StatusDelete:
    external_id: str
    translations: TranslationMap  # what is deleted, for the reviewer
    marker: ClassVar[str] = "-"
    action: ClassVar[str] = "delete"

    def sort_key(self) -> tuple[object, ...]:
        return (0, natural_key(self.external_id))


@dataclass(frozen=True)
class MappingChange:
    category: Category
    old: str | None
    new: str | None
    marker: ClassVar[str] = "~"
    action: ClassVar[str] = "remap"

    def sort_key(self) -> tuple[object, ...]:
        return (1, CATEGORIES.index(self.category))


StatusChange = StatusCreate | StatusUpdate | StatusDelete
Change = StatusCreate | StatusUpdate | StatusDelete | MappingChange


def sorted_changes(changes: list[Change]) -> tuple[Change, ...]:
    return tuple(sorted(changes, key=lambda change: change.sort_key()))
