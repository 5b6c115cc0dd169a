"""The desired-state file format beyond the resolved state: layering keys and overlays.

`reconciler.model.DesiredState` is what an integration resolves to. A file may also say which
bases it ``extends``, carry ``labels``, ``unmanaged`` patterns and ``safety`` thresholds; a file
that extends bases (and every base) is an *overlay*: ``null`` removes a status or a language the
bases define, and the mapping may name only the categories it changes. These models validate
those parts and generate ``schemas/integration.schema.json`` and ``schemas/base.schema.json``.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reconciler.model import CATEGORIES, DesiredState, ExternalId, Language, MappedId
from reconciler.project import FileSafetySettings, Label, Pattern

SETTING_KEYS = ("extends", "labels", "unmanaged", "safety")
BasePath = Annotated[
    str,
    StringConstraints(min_length=1),
    Field(description="Path of a base file, relative to this file's directory."),
]
_SCHEMA_URL = "https://sendcloud-reconciler.invalid/schemas/"


class FileSettings(BaseModel):
    """The layering keys a desired-state file or a base may carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    extends: BasePath | list[BasePath] | None = Field(
        default=None,
        description="Base file(s) this file builds on, applied in order; this file goes last.",
    )
    labels: list[Label] = Field(
        default_factory=list,
        description="Names to select integrations by (--only/--exclude, accounts).",
    )
    unmanaged: list[Pattern] = Field(
        default_factory=list,
        description="Live statuses (ids or globs) to leave alone: carried over unchanged.",
    )
    safety: FileSafetySettings | None = None

    def base_paths(self) -> list[str]:
        if self.extends is None:
            return []
        return [self.extends] if isinstance(self.extends, str) else list(self.extends)


OverlayTranslations = Annotated[
    dict[Language, Annotated[str, StringConstraints(min_length=1)] | None],
    Field(min_length=1, description="Texts per language; null removes a base's language."),
]


class OverlayMapping(BaseModel):
    """Some of the four categories: a category left out keeps the base's mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    READY_TO_SEND: MappedId = None
    IN_TRANSIT: MappedId = None
    DELIVERED: MappedId = None
    CANCEL: MappedId = None


class Overlay(FileSettings):
    """A base, or an integration file that extends bases: merged onto what it extends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statuses: dict[ExternalId, OverlayTranslations | None] | None = Field(
        default=None, description="Statuses merged by external_id; null removes a base's status."
    )
    mapping: OverlayMapping | None = Field(
        default=None, description="Categories merged one by one; null unmaps a category."
    )


class OverlayIntegration(Overlay):
    integration_id: int = Field(gt=0, strict=True, description="Sendcloud integration id.")


def base_schema() -> dict[str, Any]:
    schema = Overlay.model_json_schema()
    schema["title"] = "Shared base of desired-state files"
    _finish(schema, "base.schema.json")
    return schema


def integration_schema() -> dict[str, Any]:
    """Overlay keys everywhere; without ``extends``, the strict flat format (all four categories,
    no nulls) as `DesiredState` defines it."""
    strict = DesiredState.model_json_schema()
    schema = OverlayIntegration.model_json_schema()
    schema["title"] = strict["title"]
    schema["required"] = ["integration_id"]
    defs = schema.setdefault("$defs", {})
    for name, definition in strict.get("$defs", {}).items():
        defs.setdefault(f"Flat{name}", definition)
    flat = {
        key: _renamed_refs(copy.deepcopy(strict["properties"][key]))
        for key in ("statuses", "mapping")
    }
    schema["if"] = {"not": {"required": ["extends"]}}
    schema["then"] = {"properties": flat}
    _finish(schema, "integration.schema.json")
    return schema


def _renamed_refs(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (v.replace("#/$defs/", "#/$defs/Flat") if k == "$ref" else _renamed_refs(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_renamed_refs(v) for v in value]
    return value


def _finish(schema: dict[str, Any], name: str) -> None:
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = _SCHEMA_URL + name
    # `extends: null`, `statuses: null` are mistakes in a file: optional keys may be absent only.
    for key in ("extends", "statuses", "mapping", "safety"):
        prop = schema["properties"].get(key)
        if prop and "anyOf" in prop:
            present = [s for s in prop.pop("anyOf") if s.get("type") != "null"]
            if len(present) == 1:
                prop.update(present[0])
            else:
                prop["anyOf"] = present
            prop.pop("default", None)


CATEGORY_NAMES = tuple(c.value for c in CATEGORIES)
