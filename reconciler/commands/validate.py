"""``reconciler validate``: check desired-state files offline, every problem as file:line:col."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, ExitCode
from reconciler.report import report_problems


def validate(paths: Sequence[str]) -> ExitCode:
    """Check the files under ``paths`` offline: ``OK``, or ``ERROR`` after printing each problem."""
    from reconciler.config.loader import load_fleet

    try:
        fleet = load_fleet(paths)
    except ConfigError as exc:
        report_problems(exc.problems)
        return ExitCode.ERROR
    files, bases = len(fleet.files), len(fleet.bases)
    noun = "file" if files == 1 else "files"
    extending = f" (extending {bases} {'base' if bases == 1 else 'bases'})" if bases else ""
    click.echo(f"{files} {noun} valid{extending}.")
    return ExitCode.OK
