"""Layers → one resolved `DesiredFile` per integration, every value remembering its origin.

Merge rules (the README shows them with examples): bases apply in the order ``extends`` lists
them, each after its own bases, and the integration's file goes last; a base reached twice is
applied once, where it is first reached. Statuses merge by external_id and, within a status, by
language; the mapping merges by category; ``null`` removes a base's status or language (and in
the mapping, as always, leaves a category unmapped). Labels and unmanaged patterns accumulate;
safety thresholds are overridden key by key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reconciler.config.builder import Location
from reconciler.config.layers import Layer, read_layer
from reconciler.config.merge import Merge
from reconciler.errors import ConfigError, Problem
from reconciler.model import DesiredState
from reconciler.project import ClaimConflict, Origin, Project, Safety, Unclaimed


@dataclass(frozen=True)
class DesiredFile:
    """A valid integration file, resolved through its bases.

    ``positions``: where each key is in this file (1-based line, column). ``origins``: for every
    resolved value (``("statuses", "4", "en-gb")``, ``("mapping", "CANCEL")``...) the file and
    line that set it. ``extends``: every base applied, in order, as paths shown to the user.
    ``removed``: statuses a base defines that this file (or a later base) removes with null.
    ``unmanaged`` and ``safety`` are effective: project defaults, account, bases and file.
    ``account_size``: integrations of this account among the files loaded together.
    """

    path: str
    state: DesiredState
    positions: dict[Location, tuple[int, int]] = field(repr=False, compare=False)
    origins: dict[Location, Origin] = field(default_factory=dict, repr=False, compare=False)
    extends: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    unmanaged: tuple[str, ...] = ()
    safety: Safety = field(default_factory=Safety)
    account: str | None = None
    removed: dict[str, Origin] = field(default_factory=dict, repr=False, compare=False)
    # How many integration files of the same account were loaded with this one: what a plan's
    # share of changed integrations (max_integration_share) is measured against.
    account_size: int = 0

    def locate(self, *location: str) -> tuple[int, int]:
        """Line and column (1-based) of ``location`` in this file, or of its nearest ancestor."""
        loc = tuple(location)
        while loc and loc not in self.positions:
            loc = loc[:-1]
        return self.positions.get(loc, (1, 1))

    def origin(self, *location: str) -> Origin:
        """The file and line that set the resolved value at ``location`` (or its ancestor)."""
        loc = tuple(location)
        while loc:
            if loc in self.origins:
                return self.origins[loc]
            loc = loc[:-1]
        return Origin(self.path, *self.locate(*location))

    def provenance(self, *location: str) -> str | None:
        """``bases/nl.yaml:14`` when a base set the value; None when this file did."""
        origin = self.origin(*location)
        return None if origin.path == self.path else str(origin)


class Resolver:
    """Reads each base once (by real path) however many files extend it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._layers: dict[str, Layer | ConfigError] = {}
        self.used_as_base: set[str] = set()
        # realpath() costs a system call per path component: once per distinct path is enough.
        self._real: dict[str, str] = {}

    def real(self, path: str) -> str:
        found = self._real.get(path)
        if found is None:
            found = self._real[path] = os.path.realpath(path)
        return found

    def base(self, path: str) -> Layer:
        key = self.real(path)
        self.used_as_base.add(key)
        cached = self._layers.get(key)
        if cached is None:
            try:
                cached = read_layer(path, "base")
            except ConfigError as exc:
                cached = exc
            self._layers[key] = cached
        if isinstance(cached, ConfigError):
            raise cached
        return cached

    def chain(self, layer: Layer) -> list[Layer]:
        """``layer``'s bases in application order, then ``layer`` itself."""
        ordered: dict[str, Layer] = {}
        problems: list[Problem] = []
        # abspath, not realpath: no system calls for the thousand integration files themselves.
        self._collect(layer, [(os.path.abspath(layer.path), layer.path)], ordered, problems)
        if problems:
            raise ConfigError(problems)
        return [*ordered.values(), layer]

    def _collect(
        self,
        layer: Layer,
        stack: list[tuple[str, str]],
        ordered: dict[str, Layer],
        problems: list[Problem],
    ) -> None:
        extends = layer.settings.base_paths()
        for index, relative in enumerate(extends):
            where = layer.origin("extends", str(index))
            path = os.path.normpath(os.path.join(os.path.dirname(layer.path), relative))
            key = self.real(path)
            reals = [real for real, _ in stack]
            if key in reals:
                cycle = " → ".join([shown for _, shown in stack[reals.index(key) :]] + [path])
                problems.append(
                    Problem(
                        layer.path,
                        where.line,
                        where.col,
                        f"extends makes a cycle ({cycle}); a base cannot extend "
                        "a file that extends it: remove one of these extends",
                    )
                )
                continue
            if key in ordered:
                continue
            if key not in self._layers and not os.path.isfile(path):
                problems.append(
                    Problem(
                        layer.path,
                        where.line,
                        where.col,
                        f"base {relative!r} does not exist (looked for {path}); "
                        "check the path, relative to this file's directory",
                    )
                )
                continue
            try:
                base = self.base(path)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            self._collect(base, [*stack, (key, path)], ordered, problems)
            ordered.setdefault(key, base)


def resolve(layer: Layer, resolver: Resolver, *, relative_path: str | None = None) -> DesiredFile:
    """Merge ``layer`` onto its bases and check the result; ConfigError lists every problem."""
    chain = resolver.chain(layer)
    merged = Merge(layer.path)
    for item in chain:
        merged.apply(item)
    problems = merged.problems
    project = resolver.project
    labels = tuple(dict.fromkeys(label for item in chain for label in item.settings.labels))
    try:
        account = project.account_for(relative_path or layer.path, labels)
    except ClaimConflict as exc:
        # At the file's labels when a label claims it (where the fix usually goes), else line 1.
        where = layer.positions.get(("labels",), (1, 1)) if "label" in str(exc) else (1, 1)
        raise ConfigError([*merged.problems, Problem(layer.path, *where, str(exc))]) from None
    except Unclaimed as exc:
        # At the id: the file as a whole belongs nowhere.
        where = layer.positions.get(("integration_id",), (1, 1))
        raise ConfigError([*merged.problems, Problem(layer.path, *where, str(exc))]) from None
    unmanaged = tuple(
        dict.fromkeys(
            [*project.unmanaged_for(account), *(p for i in chain for p in i.settings.unmanaged)]
        )
    )
    safety = project.safety_for(account)
    for item in chain:
        safety = safety.overlaid(item.settings.safety)
    data: dict[str, Any] = {"integration_id": layer.data.get("integration_id")}
    if merged.statuses is not None:
        data["statuses"] = merged.statuses
    if merged.mapping is not None:
        problems.extend(merged.incomplete_mapping(layer))
        data["mapping"] = merged.mapping
        problems.extend(merged.dangling(layer, unmanaged))
    problems.extend(merged.unmanaged_conflicts(unmanaged))
    if problems:
        raise ConfigError(problems)
    try:
        state = DesiredState.model_validate(data)
    except ValidationError as exc:  # layers were checked one by one; this is a safety net
        raise ConfigError(
            [Problem(layer.path, 1, 1, f"the merged file is invalid: {exc}")]
        ) from None
    return DesiredFile(
        path=layer.path,
        state=state,
        positions=layer.positions,
        origins=merged.origins,
        extends=tuple(item.path for item in chain[:-1]),
        labels=labels,
        unmanaged=unmanaged,
        safety=safety,
        account=account,
        removed=merged.removed,
    )
