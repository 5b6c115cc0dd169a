"""One YAML file → one validated `Layer`: an integration file, or a base it extends.

A file without ``extends`` is validated as the flat format (`DesiredState`) exactly as before
bases existed. A base, or a file that extends bases, is an overlay: ``null`` may remove a status
or a language its bases define and the mapping may name only some categories; whether the
merged result is complete is checked when it is resolved (`reconciler.config.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml.nodes import SequenceNode

from reconciler.config.builder import Builder, Location, position
from reconciler.config.fileformat import SETTING_KEYS, FileSettings, OverlayMapping
from reconciler.config.messages import describe_validation_error, quoted_excerpt, suggest
from reconciler.config.reader import compose, read_text
from reconciler.errors import ConfigError, Problem
from reconciler.model import CATEGORIES, DesiredState, ExternalId
from reconciler.project import Origin, is_unmanaged

Role = Literal["integration", "base", "auto"]


@dataclass(frozen=True)
class Layer:
    """A valid file as written: its data, settings and key positions (1-based line, column)."""

    path: str
    data: dict[str, Any]
    positions: dict[Location, tuple[int, int]]
    settings: FileSettings
    overlay: bool

    def origin(self, *location: str) -> Origin:
        found = self.positions.get(location)
        if found is not None:
            return Origin(self.path, *found)
        loc = tuple(location)
        while loc and loc not in self.positions:
            loc = loc[:-1]
        return Origin(self.path, *self.positions.get(loc, (1, 1)))


class _OverlayState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    statuses: dict[ExternalId, dict[Any, Any] | None] | None = None
    mapping: OverlayMapping | None = None


class _OverlayIntegrationState(_OverlayState):
    integration_id: int = Field(gt=0, strict=True)


def read_layer(path: str, role: Role, *, root: Path | None = None) -> Layer:
    """``root``: the directory the file was found in (links stay inside it)."""
    return parse_layer(read_text(path, root=root), path, role)


def parse_layer(text: str, name: str, role: Role) -> Layer:
    """``role``: "integration" (needs integration_id), "base", or "auto" (a file found in a
    directory: a base when it has no integration_id, which the loader checks is extended)."""
    root = compose(text, name)
    builder = Builder(name, root)
    data = builder.build(root, ())
    problems = builder.problems
    if not isinstance(data, dict):
        if not problems:
            text = quoted_excerpt(str(data))
            kind = "a list" if isinstance(root, SequenceNode) else f"only the text {text}"
            message = (
                f"the file holds {kind}; it must be a mapping of keys, starting with "
                "`integration_id: <id>`"
            )
            problems.append(Problem(name, *position(root), message))
        raise ConfigError(problems)
    raw_settings = {key: data.pop(key) for key in SETTING_KEYS if key in data}
    if isinstance(raw_settings.get("extends"), str) and ("extends",) in builder.values:
        # `extends: x.yaml` is located like the first entry of a list: at the path itself.
        builder.positions[("extends", "0")] = builder.values[("extends",)][0]
    settings = FileSettings()
    try:
        settings = FileSettings.model_validate(raw_settings)
    except ValidationError as exc:
        problems.extend(_schema_problems(exc, builder))
    is_base = role == "base" or (role == "auto" and "integration_id" not in data)
    overlay = is_base or "extends" in raw_settings
    problems.extend(_explicit_nulls(data, builder))
    if is_base and "integration_id" in data:
        if role == "base":
            problems.append(
                Problem(
                    name,
                    *builder.positions[("integration_id",)],
                    "a base cannot have an integration_id: it is shared by the integrations "
                    "that extend it; move integration_id into each integration's own file",
                )
            )
        data.pop("integration_id")
    if not overlay:
        problems.extend(_validate(DesiredState, data, builder))
    else:
        model = _OverlayState if is_base else _OverlayIntegrationState
        problems.extend(_validate(model, data, builder))
        problems.extend(_overlay_texts(data, builder))
    if problems:
        if not overlay:
            # Reported with the others so one run shows everything; a complete file's mapping
            # is checked after resolution, where the project's unmanaged patterns are known.
            problems.extend(_dangling(data, builder, settings.unmanaged))
        # A union (`extends`: text or list) fails once per branch with the same message.
        raise ConfigError(list(dict.fromkeys(problems)))
    return Layer(name, data, builder.positions, settings, overlay)


def _validate(model: type[BaseModel], data: dict[str, Any], builder: Builder) -> list[Problem]:
    try:
        model.model_validate(
            {k: v for k, v in data.items() if v is not None or k not in ("statuses", "mapping")}
        )
    except ValidationError as exc:
        return list(_schema_problems(exc, builder))
    return []


def _overlay_texts(data: dict[str, Any], builder: Builder) -> Iterator[Problem]:
    """Languages and texts of overlay statuses, as strictly as the flat format (null aside)."""
    statuses = data.get("statuses")
    if not isinstance(statuses, dict):
        return
    # A null text (removing a base's language) still has to name a real language.
    probe = {
        ext: {lang: "x" if text is None else text for lang, text in texts.items()}
        for ext, texts in statuses.items()
        if isinstance(texts, dict)
    }
    try:
        DesiredState.model_validate({"integration_id": 1, "statuses": probe})
    except ValidationError as exc:
        yield from _schema_problems(exc, builder)


def _schema_problems(exc: ValidationError, builder: Builder) -> Iterator[Problem]:
    errors = [(tuple(str(part) for part in e["loc"]), e) for e in exc.errors()]
    # A misspelt category is reported once, as unknown with a suggestion, not also as missing.
    suggested = {
        ("mapping", hint)
        for loc, e in errors
        if e["type"] == "extra_forbidden" and len(loc) == 2 and loc[0] == "mapping"
        for hint in [suggest(loc[1], CATEGORIES)]
        if hint
    }
    for loc, error in errors:
        if any(loc[: len(bad)] == bad for bad in builder.invalid):
            continue
        if error["type"] == "missing" and loc in suggested:
            continue
        written = None
        about_key = error["type"] in ("missing", "extra_forbidden") or loc[-1:] == ("[key]",)
        if not about_key and loc in builder.values:
            # A wrong value is located at the value itself, and quoted as it was written.
            (line, col), written = builder.values[loc]
        else:
            line, col = builder.nearest(loc)
        message = describe_validation_error(error, loc, written)
        yield Problem(builder.name, line, col, message)


def _dangling(data: dict[str, Any], builder: Builder, unmanaged: list[str]) -> Iterator[Problem]:
    statuses, mapping = data.get("statuses"), data.get("mapping")
    if not isinstance(statuses, dict) or not isinstance(mapping, dict):
        return
    for category in CATEGORIES:
        external_id = mapping.get(category.value)
        if (
            isinstance(external_id, str)
            and external_id
            and external_id not in statuses
            and external_id not in builder.rejected_status_ids
            and not is_unmanaged(external_id, unmanaged)
        ):
            line, col = builder.positions[("mapping", category.value)]
            known = ", ".join(repr(k) for k in statuses) or "none"
            yield Problem(
                builder.name,
                line,
                col,
                f"mapping {category.value} points at status {external_id!r}, which is not in "
                f"statuses (known: {known}); add the status or change the mapping",
            )


def _explicit_nulls(data: dict[str, Any], builder: Builder) -> Iterator[Problem]:
    hints = {
        "statuses": "write `statuses: {}` for no statuses, or remove the key to leave them "
        "unmanaged",
        "mapping": "list the four categories, or remove the key to leave the mapping unmanaged",
    }
    for key, hint in hints.items():
        if key in data and data[key] is None:
            yield Problem(builder.name, *builder.positions[(key,)], f"{key} is empty; {hint}")
