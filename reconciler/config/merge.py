"""Merging layers (bases, then the integration's file) into one state, with per-value origins."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reconciler.config.builder import Location
from reconciler.config.layers import Layer
from reconciler.errors import Problem
from reconciler.model import CATEGORIES
from reconciler.project import Origin, is_unmanaged


class Merge:
    """Accumulates layers in order; ``problems`` holds what a layer gets wrong about its bases."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.statuses: dict[str, dict[str, str]] | None = None
        self.mapping: dict[str, str | None] | None = None
        self.origins: dict[Location, Origin] = {}
        self.removed: dict[str, Origin] = {}
        self.problems: list[Problem] = []

    def apply(self, layer: Layer) -> None:
        statuses = layer.data.get("statuses")
        if isinstance(statuses, dict):
            if self.statuses is None or not layer.overlay:
                self.statuses = {}
            for external_id, texts in statuses.items():
                self._status(layer, external_id, texts)
        mapping = layer.data.get("mapping")
        if isinstance(mapping, dict):
            if self.mapping is None or not layer.overlay:
                self.mapping = {}
            for category, external_id in mapping.items():
                self.mapping[category] = external_id
                self.origins[("mapping", category)] = layer.origin("mapping", category)
            self.origins.setdefault(("mapping",), layer.origin("mapping"))

    def _status(self, layer: Layer, external_id: str, texts: dict[str, str | None] | None) -> None:
        assert self.statuses is not None  # noqa: S101 - apply() creates it first
        here = layer.origin("statuses", external_id)
        if texts is None:
            if external_id not in self.statuses:
                self._problem(
                    here,
                    f"status {external_id!r} is removed here (null), but no base "
                    "defines it; remove this line or check the id",
                )
                return
            del self.statuses[external_id]
            self.removed[external_id] = here
            for loc in [loc for loc in self.origins if loc[:2] == ("statuses", external_id)]:
                del self.origins[loc]
            return
        current = self.statuses.setdefault(external_id, {})
        self.removed.pop(external_id, None)
        self.origins.setdefault(("statuses", external_id), here)
        for language, text in texts.items():
            loc = ("statuses", external_id, language)
            if text is not None:
                current[language] = text
                self.origins[loc] = layer.origin(*loc)
            elif language in current:
                del current[language]
                del self.origins[loc]
            else:
                self._problem(
                    layer.origin(*loc),
                    f"the {language} text of status {external_id!r} "
                    "is removed here (null), but no base sets it; remove this line",
                )
        if not current:
            self._problem(
                here,
                f"status {external_id!r} is left with no texts; remove the whole "
                f'status with `"{external_id}": null` instead',
            )

    def _problem(self, origin: Origin, message: str) -> None:
        self.problems.append(Problem(origin.path, origin.line, origin.col, message))

    def incomplete_mapping(self, layer: Layer) -> Iterator[Problem]:
        assert self.mapping is not None  # noqa: S101
        missing = [c.value for c in CATEGORIES if c.value not in self.mapping]
        if missing:
            where = layer.origin("mapping") if "mapping" in layer.data else layer.origin("extends")
            names = ", ".join(missing)
            yield Problem(
                layer.path,
                where.line,
                where.col,
                f"the mapping must name all four categories; {names} is in neither this "
                f"file nor its bases (add `{missing[0]}: null` to leave it unmapped)",
            )

    def dangling(self, layer: Layer, unmanaged: Sequence[str]) -> Iterator[Problem]:
        """Mapping values that point at no status (unmanaged ones are checked live at plan)."""
        if self.statuses is None or self.mapping is None:
            return
        for category in CATEGORIES:
            external_id = self.mapping.get(category.value)
            if (
                not isinstance(external_id, str)
                or external_id in self.statuses
                or is_unmanaged(external_id, unmanaged)
            ):
                continue
            origin = self.origins[("mapping", category.value)]
            inherited = origin.path != layer.path
            what = f"mapping {category.value}" + (f" (from {origin})" if inherited else "")
            if external_id in self.removed:
                message = (
                    f"{what} points at status {external_id!r}, which is removed at "
                    f"{self.removed[external_id]}; map {category.value} to another status (or "
                    "null) in this file, or keep the status"
                )
            else:
                known = ", ".join(repr(k) for k in self.statuses) or "none"
                message = (
                    f"{what} points at status {external_id!r}, which is not in statuses (known: "
                    f"{known}); add the status or change the mapping"
                )
            # In the integration's file: at the value when it set it, else at its extends.
            where = layer.origin("extends") if inherited else origin
            yield Problem(layer.path, where.line, where.col, message)

    def unmanaged_conflicts(self, unmanaged: Sequence[str]) -> Iterator[Problem]:
        for external_id in self.statuses or {}:
            if is_unmanaged(external_id, unmanaged):
                origin = self.origins[("statuses", external_id)]
                yield Problem(
                    origin.path,
                    origin.line,
                    origin.col,
                    f"status {external_id!r} is also unmanaged (it matches an unmanaged "
                    "pattern); manage it here or leave it unmanaged, not both",
                )
