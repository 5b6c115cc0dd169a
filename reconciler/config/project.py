"""Finding and reading ``reconciler.yaml``, the project file, with every mistake located.

The file is looked for from each given path upward, stopping at the git repository's root (the
directory holding ``.git``) so a project file elsewhere on the machine is never picked up. No
project file: `Project.none()`, and everything works as it did without one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.config.builder import Builder, position
from reconciler.config.messages import describe_validation_error, suggest
from reconciler.config.reader import compose, read_text
from reconciler.errors import ConfigError, Problem
from reconciler.project import (
    PROJECT_FILE_NAMES,
    Account,
    Defaults,
    Project,
    ProjectFile,
    SafetySettings,
)


def find_project_file(paths: Sequence[str | os.PathLike[str]]) -> Path | None:
    """The project file governing ``paths`` (the first found upward from the first path).

    Two paths under two different project files are a mistake: one run uses one project file.
    So is a project file inside the tree another one governs (see `nested_project_problem`).
    """
    found: dict[Path, str] = {}
    # pre-commit passes every changed file: look upward once per directory, not once per file.
    chains: dict[Path, list[Path]] = {}
    for raw in paths or (".",):
        path = Path(raw)
        directory = path if path.is_dir() else path.parent
        chain = chains.get(directory)
        if chain is None:
            chain = chains[directory] = _upward(directory)
        if len(chain) > 1:
            raise ConfigError([nested_project_problem(chain[0], chain[1])])
        if chain:
            found.setdefault(chain[0].resolve(), str(chain[0]))
    if len(found) > 1:
        names = " and ".join(sorted(found.values()))
        raise ConfigError(
            [
                Problem(
                    str(paths[0]),
                    1,
                    1,
                    f"these paths belong to two project files ({names}); "
                    "run the command once per project",
                )
            ]
        )
    return Path(next(iter(found.values()))) if found else None


def nested_project_problem(inner: Path, outer: Path | str) -> Problem:
    """A project file below another one's directory: which one governs would depend on the path
    a command is given, so neither is used. One tree, one project file (as one Terraform root
    module has one configuration and an octoDNS repository one config file)."""
    return Problem(
        str(inner),
        1,
        1,
        f"a project file inside the tree of {outer}, which governs every file below its "
        f"directory; one tree has one project file: move its accounts, defaults and policies "
        f"into {outer} and delete this one (or move {inner.parent} out of that tree)",
    )


def _upward(start: Path) -> list[Path]:
    """The project files from the directory ``start`` up to the repository's root, nearest
    first."""
    directory = start.resolve()
    chain: list[Path] = []
    while True:
        candidate = next(
            (directory / name for name in PROJECT_FILE_NAMES if (directory / name).is_file()),
            None,
        )
        if candidate is not None:
            chain.append(Path(_shown(candidate)))
        if (directory / ".git").exists() or directory.parent == directory:
            return chain
        directory = directory.parent


def _shown(path: Path) -> str:
    """Relative to the working directory when below it (as the user's other paths are)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_project(paths: Sequence[str | os.PathLike[str]]) -> Project:
    """The project governing ``paths``, or `Project.none()` when there is no project file."""
    found = find_project_file(paths)
    if found is None:
        return Project.none()
    return load_project_file(found)


EMPTY_PROJECT = (
    "the project file is empty; write its settings (`accounts`, `defaults`, `policies`: see "
    "`reconciler schema project`), or `{}` for none"
)


def load_project_file(path: str | os.PathLike[str]) -> Project:
    name = str(path)
    text = read_text(name)
    root = compose(text, name, empty=EMPTY_PROJECT)
    builder = Builder(name, root)
    data = builder.build(root, ())
    problems = builder.problems
    if data is None and not problems:
        data = {}
    if not isinstance(data, dict):
        if not problems:
            message = "the project file must be a mapping of keys (defaults, accounts, policies)"
            problems.append(Problem(name, *position(root), message))
        raise ConfigError(problems)
    model = ProjectFile()
    try:
        model = ProjectFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(str(part) for part in error["loc"])
            if any(loc[: len(bad)] == bad for bad in builder.invalid):
                continue
            written = None
            if error["type"] not in ("missing", "extra_forbidden") and loc in builder.values:
                (line, col), written = builder.values[loc]
            else:
                line, col = builder.nearest(loc)
            problems.append(Problem(name, line, col, project_message(error, loc, written)))
    if problems:
        raise ConfigError(problems)
    return Project(name, os.path.dirname(name) or ".", model)


def project_message(error: ErrorDetails, loc: tuple[str, ...], written: str | None) -> str:
    """Pydantic's error reworded for the project file; never quotes a ``*_env`` value, which
    may be a credential pasted where its variable's name belongs."""
    kind = error["type"]
    where = ".".join(loc) or "the project file"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        keys = list(model.model_fields) if model else []
        hint = suggest(loc[-1], keys) if keys else None
        did_you_mean = f"did you mean {hint}? " if hint else ""
        parent = ".".join(loc[:-1]) or "the project file"
        listed = f"the keys are {', '.join(keys)}" if keys else "remove it"
        return f"unknown key {loc[-1]!r} in {parent}; {did_you_mean}{listed}"
    if kind == "missing":
        parent = ".".join(loc[:-1]) or "the project file"
        return f"{parent} is missing {loc[-1]!r}; add it"
    if loc and loc[-1].endswith("_env"):
        return (
            f"{where} must be the NAME of an environment variable (letters, digits and _, "
            "such as NL_SENDCLOUD_PUBLIC_KEY), never the key itself"
        )
    if loc and loc[-1].endswith("_share") and kind not in ("float_type", "float_parsing"):
        shown = written if written is not None else str(error.get("input"))
        return f"{where} must be a share between 0 and 1 (0.3 is 30 %), not {shown}"
    if kind == "value_error":  # a validator's own sentence (globs): said as it was written
        return f"{where}: {error['msg'].removeprefix('Value error, ')}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{where} must be {expected}, not {written!r}"
    if kind == "string_pattern_mismatch":
        return (
            f"{where} must start with a letter or digit and hold only letters, digits, "
            "'.', '_' and '-'"
        )
    return describe_validation_error(error, loc, written)


def _model_at(loc: tuple[str, ...]) -> type[BaseModel] | None:
    if not loc:
        return ProjectFile
    if loc[-1] == "safety":
        return SafetySettings
    if loc == ("defaults",):
        return Defaults
    if len(loc) == 2 and loc[0] == "accounts":
        return Account
    return None
