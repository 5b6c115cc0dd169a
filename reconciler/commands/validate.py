"""``reconciler validate``: check desired-state files offline, every problem as file:line:col."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, ExitCode
from reconciler.report import report_problems


def validate(paths: Sequence[str]) -> ExitCode:
    """Check the files under ``paths`` offline (resolved through their bases), and the project
    file's policies on them.

    ``OK`` (warnings printed), or ``ERROR`` after printing each problem or policy error.
    """
    from reconciler.commands.policy import check_files, has_errors, report_violations
    from reconciler.config.loader import load_fleet

    try:
        fleet = load_fleet(paths)
        violations = check_files(fleet.project, fleet.files)
    except ConfigError as exc:
        report_problems(exc.problems)
        return ExitCode.ERROR
    report_violations(violations)
    files, bases = len(fleet.files), len(fleet.bases)
    noun = "file" if files == 1 else "files"
    if has_errors(violations):
        click.echo(f"{files} {noun} read; policy errors found.")
        return ExitCode.ERROR
    extending = f" (extending {bases} {'base' if bases == 1 else 'bases'})" if bases else ""
    click.echo(f"{files} {noun} valid{extending}.")
    return ExitCode.OK
