from __future__ import annotations

import json
from typing import Any, Literal

import click

from reconciler.errors import ExitCode

SchemaKind = Literal["integration", "base", "project"]
SCHEMA_FILES: dict[SchemaKind, str] = {
    "integration": "integration.schema.json",
    "base": "base.schema.json",
    "project": "project.schema.json",
}


def schema_text(kind: SchemaKind = "integration") -> str:
    """The JSON Schema of one file format, exactly as checked in under ``schemas/``."""
    from reconciler.config.fileformat import base_schema, integration_schema
    from reconciler.project import ProjectFile

    schema: dict[str, Any]
    if kind == "integration":
        schema = integration_schema()
    elif kind == "base":
        schema = base_schema()
    else:
        schema = ProjectFile.model_json_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def integration_schema_text() -> str:
    return schema_text("integration")


def schema(kind: SchemaKind = "integration") -> ExitCode:
    """Print the JSON Schema of one file format (integration, base or project) to stdout."""
    click.echo(schema_text(kind), nl=False)
    return ExitCode.OK
