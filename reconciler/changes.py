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


def natural_key(external_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "2" before "10" and "Send-4" after the numbers, as a shop owner would."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", external_id)
        if part
    )


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
