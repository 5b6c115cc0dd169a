"""``reconciler validate``: check desired-state files offline, every problem as file:line:col."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, ExitCode
from reconciler.report import report_problems


def validate(paths: Sequence[str]) -> ExitCode:
    """Check the files under ``paths`` offline: ``OK``, or ``ERROR`` after printing each problem."""
    from reconciler.config.loader import load_paths

    try:
        files = load_paths(paths)
    except ConfigError as exc:
        report_problems(exc.problems)
        return ExitCode.ERROR
    noun = "file" if len(files) == 1 else "files"
    click.echo(f"{len(files)} {noun} valid.")
    return ExitCode.OK
