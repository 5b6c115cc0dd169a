from __future__ import annotations

import json

import click

from reconciler.errors import ExitCode


def integration_schema_text() -> str:
    """The JSON Schema of the desired-state file, exactly as checked in under ``schemas/``."""
    from reconciler.model import DesiredState

    return json.dumps(DesiredState.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema() -> ExitCode:
    """Print the JSON Schema of the desired-state file to stdout."""
    click.echo(integration_schema_text(), nl=False)
    return ExitCode.OK
