"""Change values: what differs between two states of one integration, with their order and words.

Each change carries its ordering (statuses before the mapping; statuses by external id in
natural order, mapping entries by category in the API's order), so a plan prints, hashes and
applies the same way on every run. Each change also says itself in words (:meth:`describe`), so
adopt, apply's verification and the stale-plan refusal use one vocabulary, and the renderings
(``reconciler.render``) only lay out the data: ``marker``, ``target``, ``details``.

A change reads from ``old`` to ``new``: the side a diff starts from and the side it goes to. In a
plan that is live → desired; in a drift report the same objects are read "live → git".

Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final, Literal

from reconciler.model import CATEGORIES, Category, Language
from reconciler.quoting import quote

TranslationMap = dict[Language, str]
Marker = Literal["+", "~", "-"]


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
class Words:
    """How a sentence names the two sides of a change (see :meth:`StatusCreate.describe`)."""

    added: str  # a status only the new side has
    removed: str  # a status only the old side has
    old: str  # before a value of the old side
    new: str  # before a value of the new side


# What happened, read old → new: adopt ("file → live") and the stale-plan refusal ("the live
# state the plan was made from → the live state now").
CHANGED: Final = Words(added="added", removed="removed", old="was", new="now")
# What is still wrong, read live → desired: apply's verification after the writes.
RESIDUAL: Final = Words(added="is missing", removed="is still there", old="is", new="desired")


@dataclass(frozen=True)
class TranslationChange:
    """One language of one status: ``old`` None means the language is added, ``new`` None that
    it is removed."""

    language: Language
    old: str | None
    new: str | None

    @property
    def kind(self) -> Literal["add", "change", "remove"]:
        """``add`` / ``change`` / ``remove``, as the JSON document names it."""
        if self.old is None:
            return "add"
        if self.new is None:
            return "remove"
        return "change"

    @property
    def marker(self) -> Marker:
        """``+`` added, ``-`` removed, ``~`` changed."""
        if self.old is None:
            return "+"
        return "-" if self.new is None else "~"

    def describe(self, subject: str, words: Words = CHANGED) -> str:
        """``status "4" en-gb was "Shipped", now "Sent"`` (unset: the language is absent)."""
        return (
            f"{subject} {self.language} {words.old} {_value(self.old, 'unset')}, "
            f"{words.new} {_value(self.new, 'unset')}"
        )


@dataclass(frozen=True)
class _StatusChange:
    """What the three status changes share: the status they change, their place and subject."""

    external_id: str
    target: ClassVar[Literal["status"]] = "status"
    order: ClassVar[int] = 0  # statuses change before the mapping moves onto them

    @property
    def subject(self) -> str:
        """``status "4"``: the external id quoted for display."""
        return f"status {quote(self.external_id)}"

    def sort_key(self) -> tuple[object, ...]:
        """Statuses first, by external id in natural order ("2" before "10")."""
        return (self.order, natural_key(self.external_id))


@dataclass(frozen=True)
class StatusCreate(_StatusChange):
    """A status only the new side has; ``translations`` are its names, sorted by language."""

    translations: TranslationMap
    marker: ClassVar[Literal["+"]] = "+"
    action: ClassVar[Literal["create"]] = "create"

    @property
    def details(self) -> tuple[TranslationChange, ...]:
        """Each language as added (``old`` None)."""
        return tuple(TranslationChange(lang, None, t) for lang, t in self.translations.items())

    def describe(self, words: Words = CHANGED) -> str:
        """``status "11" added (en-gb "Back order")``."""
        return f"{self.subject} {words.added} ({_names(self.translations)})"


@dataclass(frozen=True)
class StatusUpdate(_StatusChange):
    """A status both sides have with different names; ``translations`` sorted by language."""

    translations: tuple[TranslationChange, ...]
    marker: ClassVar[Literal["~"]] = "~"
    action: ClassVar[Literal["update"]] = "update"

    @property
    def details(self) -> tuple[TranslationChange, ...]:
        """The languages that differ."""
        return self.translations

    def describe(self, words: Words = CHANGED) -> str:
        """``status "4" en-gb was "Shipped", now "Sent"``, one clause per language, "; " apart."""
        return "; ".join(t.describe(self.subject, words) for t in self.translations)


@dataclass(frozen=True)
class StatusDelete(_StatusChange):
    """A status only the old side has; ``translations`` are what it held, for the reviewer."""

    translations: TranslationMap
    marker: ClassVar[Literal["-"]] = "-"
    action: ClassVar[Literal["delete"]] = "delete"

    @property
    def details(self) -> tuple[TranslationChange, ...]:
        """Each language as removed (``new`` None)."""
        return tuple(TranslationChange(lang, t, None) for lang, t in self.translations.items())

    def describe(self, words: Words = CHANGED) -> str:
        """``status "6" removed (en-gb "Cancelled")``."""
        return f"{self.subject} {words.removed} ({_names(self.translations)})"


@dataclass(frozen=True)
class MappingChange:
    """One category of the status mapping points elsewhere; None is unmapped."""

    category: Category
    old: str | None
    new: str | None
    marker: ClassVar[Literal["~"]] = "~"
    action: ClassVar[Literal["remap"]] = "remap"
    target: ClassVar[Literal["mapping"]] = "mapping"
    order: ClassVar[int] = 1

    @property
    def subject(self) -> str:
        """``mapping DELIVERED``."""
        return f"mapping {self.category.value}"

    def sort_key(self) -> tuple[object, ...]:
        """After the statuses, by category in the API's order."""
        return (self.order, CATEGORIES.index(self.category))

    def describe(self, words: Words = CHANGED) -> str:
        """``mapping DELIVERED was "4", now unmapped``."""
        return (
            f"{self.subject} {words.old} {_value(self.old, 'unmapped')}, "
            f"{words.new} {_value(self.new, 'unmapped')}"
        )


Change = StatusCreate | StatusUpdate | StatusDelete | MappingChange


def sorted_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """``changes`` in their own order (see the module docstring)."""
    return tuple(sorted(changes, key=lambda change: change.sort_key()))


def describe_changes(
    changes: Sequence[Change], words: Words = CHANGED, *, limit: int | None = None
) -> str:
    """The changes in words, ``"; "`` apart; past ``limit`` changes, ``and N more``."""
    shown = changes if limit is None else changes[:limit]
    text = "; ".join(change.describe(words) for change in shown)
    more = len(changes) - len(shown)
    return text + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class Counts:
    """How many changes of each action: ``creates``, ``updates``, ``deletes`` (statuses) and
    ``mapping_changes`` (categories remapped)."""

    creates: int
    updates: int
    deletes: int
    mapping_changes: int

    @classmethod
    def of(cls, changes: Iterable[Change]) -> Counts:
        """Count ``changes`` by their ``action``."""
        actions = [change.action for change in changes]
        return cls(
            creates=actions.count("create"),
            updates=actions.count("update"),
            deletes=actions.count("delete"),
            mapping_changes=actions.count("remap"),
        )


def deleted_ids(changes: Iterable[Change]) -> list[str]:
    """External ids of the statuses ``changes`` delete, in the changes' order."""
    return [change.external_id for change in changes if change.action == "delete"]


def _value(value: str | None, absent: str) -> str:
    return absent if value is None else quote(value)


def _names(translations: TranslationMap) -> str:
    return ", ".join(f"{language} {quote(name)}" for language, name in translations.items())
