"""Desired-state files → resolved `DesiredFile` objects, every mistake located as ``file:line:col``.

The pipeline: `discover` expands the given paths into YAML files (leaving out the project file),
`reconciler.config.project` finds ``reconciler.yaml`` above them, `reconciler.config.layers`
validates each file on its own, and `reconciler.config.resolve` merges each integration's file
onto the bases it extends. Every problem in every file is collected before anything is refused.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reconciler.config.builder import MAX_ALIAS_EXPANSION, Location
from reconciler.config.layers import Layer, parse_layer, read_layer
from reconciler.config.project import load_project, nested_project_problem
from reconciler.config.resolve import DesiredFile, Resolver, resolve
from reconciler.errors import ConfigError, Problem
from reconciler.project import PROJECT_FILE_NAMES, Defaults, Project, ProjectFile

__all__ = [
    "MAX_ALIAS_EXPANSION",
    "DesiredFile",
    "Fleet",
    "FleetLoading",
    "Location",
    "discover",
    "load_file",
    "load_fleet",
    "load_paths",
    "parse",
]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Fleet:
    """The project governing some paths and its resolved integration files (by integration id).

    ``bases``: every base file the integrations extend, as paths shown to the user.
    """

    project: Project
    files: tuple[DesiredFile, ...]
    bases: tuple[str, ...] = ()


def discover(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """Expand files and directories (recursively, ``*.yaml``/``*.yml``) into a sorted file list.

    The project file (``reconciler.yaml``) in a directory is not a desired-state file: it is left
    out of directory listings.
    """
    found, problems = _discover(paths)
    return list(found), problems


def _discover(
    paths: Sequence[str | os.PathLike[str]], projects: list[Path] | None = None
) -> tuple[dict[Path, Path | None], list[Problem]]:
    """Each file found → the directory it was found in (None: the file was named itself).

    ``projects`` receives the project files found in the directories walked."""
    files: dict[Path, Path | None] = {}
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_walk_yaml(path, problems, [] if projects is None else projects))
            if not found and not problems:
                message = (
                    "no *.yaml or *.yml files in this directory (or its subdirectories); "
                    "pass the directory that holds the integration files"
                )
                problems.append(Problem(str(path), 1, 1, message))
            for file in found:
                files.setdefault(file, path)
        elif path.exists() or path.is_symlink():
            files.setdefault(path, None)
        else:
            problems.append(Problem(str(path), 1, 1, "no such file or directory; check the path"))
    return files, problems


def _walk_yaml(directory: Path, problems: list[Problem], projects: list[Path]) -> Iterator[Path]:
    def unreadable(exc: OSError) -> None:
        # A directory that cannot be listed may hold integrations: skipping it would plan
        # without them, so it is an error.
        name = exc.filename or str(directory)
        reason = exc.strerror or str(exc)
        message = f"cannot read this directory ({reason}); fix its permissions or pass another"
        problems.append(Problem(str(name), 1, 1, message))

    # os.walk does not follow directory symlinks, so a symlink loop cannot recurse forever.
    for root, dirs, names in os.walk(directory, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name in PROJECT_FILE_NAMES:
                projects.append(Path(root, name))
            elif name.endswith(YAML_SUFFIXES):
                yield Path(root, name)


def load_fleet(paths: Sequence[str | os.PathLike[str]]) -> Fleet:
    """The project file above ``paths`` and every integration file under them, resolved.

    A file found in a directory without an integration_id is a base when another file extends
    it (validated as a base), and a mistake otherwise. Raises one ConfigError listing every
    problem in every file (bases included, each reported once).
    """
    loading = FleetLoading(paths)
    for _ in loading:
        pass
    return loading.finish()


class FleetLoading:
    """`load_fleet` one file at a time, for a caller that starts work on a file before the rest
    are loaded (``plan`` reads an integration's live state while the next files load).

    Iterate to get each integration file as soon as it is resolved, in discovery order (sorted
    paths), then call `finish` for the `Fleet`. Only `finish` says whether the fleet is valid:
    a file yielded early may still be part of a fleet with a problem found later (a duplicate
    integration id, a file that is neither an integration nor a base, an invalid file), so
    nothing may be written or reported as a plan before `finish` returns. Yielded files carry
    ``account_size`` 0; `finish` sets it (it counts the whole fleet). The constructor raises
    `ConfigError` for an invalid project file, `finish` one listing every other problem.
    """

    def __init__(self, paths: Sequence[str | os.PathLike[str]]) -> None:
        self.project = load_project(paths)
        projects: list[Path] = []
        self._files, self._problems = _discover(paths, projects)
        self._problems.extend(_other_projects(projects, self.project, paths))
        self._given = {Path(p) for p in paths}
        self._resolver = Resolver(self.project)
        self._loaded: list[DesiredFile] = []
        self._candidates: list[Layer] = []
        self._done = False

    def __iter__(self) -> Iterator[DesiredFile]:
        for path, root in self._files.items():
            # A file given by name may be a base too (pre-commit passes the changed files, bases
            # included): without integration_id it is one if a file loaded with it extends it.
            try:
                layer = read_layer(str(path), "auto", root=root)
            except ConfigError as exc:
                self._problems.extend(exc.problems)
                continue
            if "integration_id" not in layer.data:
                # A base or a mistake: only the whole fleet tells (is it extended?).
                self._candidates.append(layer)
                continue
            relative = _relative(layer.path, self.project)
            try:
                desired = resolve(layer, self._resolver, relative_path=relative)
            except ConfigError as exc:
                self._problems.extend(exc.problems)
                continue
            self._loaded.append(desired)
            yield desired
        self._done = True

    def finish(self) -> Fleet:
        """The fleet, once every file was loaded; raises one ConfigError listing every problem."""
        if not self._done:
            raise RuntimeError("FleetLoading.finish before every file was loaded")
        problems = list(self._problems)
        for layer in self._candidates:
            if os.path.realpath(layer.path) not in self._resolver.used_as_base:
                given = Path(layer.path) in self._given
                problems.append(_missing_integration_id(layer, given=given))
        problems.extend(_duplicate_integrations(self._loaded))
        if problems:
            raise ConfigError(sorted(set(problems)))
        loaded = self._loaded
        bases = tuple(sorted({base for f in loaded for base in f.extends}))
        sizes = Counter(f.account for f in loaded)
        loaded = [replace(f, account_size=sizes[f.account]) for f in loaded]
        files = tuple(sorted(loaded, key=lambda f: f.state.integration_id))
        return Fleet(self.project, files, bases)


def load_paths(paths: Sequence[str | os.PathLike[str]]) -> list[DesiredFile]:
    """Load every integration file under ``paths``; raise one ConfigError listing every problem."""
    return list(load_fleet(paths).files)


def _other_projects(
    found: Iterable[Path], project: Project, paths: Sequence[str | os.PathLike[str]]
) -> Iterator[Problem]:
    """Project files below the given directories other than the one governing the run: used
    or not, depending on the path given, they would change which account and which rules a
    file gets; so each is an error, never silently ignored."""
    governing = os.path.realpath(project.path) if project.path else None
    for path in found:
        if governing is not None and os.path.realpath(path) == governing:
            continue
        if project.path is not None:
            yield nested_project_problem(path, project.path)
        else:
            given = " ".join(str(p) for p in paths)
            yield Problem(
                str(path),
                1,
                1,
                f"a project file below {given}, which a run over {given} would not use (a run "
                "uses the project file found upward from its paths); run the command on "
                f"{path.parent} instead, once per project",
            )


def _relative(path: str, project: Project) -> str:
    """``path`` relative to the project file's directory, with ``/``: what account globs match."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(project.root))
    return relative.replace(os.sep, "/")


def _missing_integration_id(layer: Layer, *, given: bool) -> Problem:
    if given:
        message = (
            "missing integration_id, and no file given with it extends it as a base; if it is a "
            "base, validate it with a file that extends it (or the directory holding them, "
            "`reconciler validate integrations/`); if it describes an integration, add "
            "`integration_id: <id>`"
        )
    else:
        message = (
            "missing integration_id; add `integration_id: <id>` with the id of the Sendcloud "
            "integration this file describes (a base, without integration_id, must be extended "
            "by an integration file under the same paths)"
        )
    return Problem(layer.path, 1, 1, message)


def _duplicate_integrations(files: Iterable[DesiredFile]) -> Iterator[Problem]:
    first_seen: dict[int, DesiredFile] = {}
    for desired in files:
        integration_id = desired.state.integration_id
        if integration_id in first_seen:
            other = first_seen[integration_id]
            other_line = other.locate("integration_id")[0]
            line, col = desired.locate("integration_id")
            yield Problem(
                desired.path,
                line,
                col,
                f"integration {integration_id} is already defined in {other.path}:{other_line}; "
                "keep exactly one file per integration",
            )
        else:
            first_seen[integration_id] = desired


def load_file(
    path: str | os.PathLike[str], project: Project | None = None, *, root: Path | None = None
) -> DesiredFile:
    """One integration file, resolved through its bases (without a project: built-in settings).

    ``root``: the directory it was found in (links stay inside it).
    """
    name = str(path)
    layer = read_layer(name, "integration", root=root)
    return resolve(layer, Resolver(project or Project.none()))


def parse(text: str, name: str, *, unmanaged: Sequence[str] = ()) -> DesiredFile:
    """Parse one integration file's text (its bases are read from disk, relative to ``name``).

    ``unmanaged``: patterns the project file adds (its mapping may point at such statuses).
    """
    project = Project.none()
    if unmanaged:
        defaults = Defaults(unmanaged=list(unmanaged))
        project = Project(None, ".", ProjectFile(defaults=defaults))
    return resolve(parse_layer(text, name, "integration"), Resolver(project))
