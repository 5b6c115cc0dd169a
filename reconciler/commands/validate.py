"""``reconciler validate``: check desired-state files offline, every problem as file:line:col."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, ExitCode
from reconciler.report import report_problems


def validate(paths: Sequence[str]) -> ExitCode:
    """Check the files under ``paths`` offline, and the project file's policies on them.

    ``OK`` (warnings printed), or ``ERROR`` after printing each problem or policy error.
    """
    from reconciler.commands.policy import check_files, has_errors, report_violations
    from reconciler.config.loader import load_paths

    try:
        files = load_paths(paths)
        violations = check_files(paths, files)
    except ConfigError as exc:
        report_problems(exc.problems)
        return ExitCode.ERROR
    report_violations(violations)
    noun = "file" if len(files) == 1 else "files"
    if has_errors(violations):
        click.echo(f"{len(files)} {noun} read; policy errors found.")
        return ExitCode.ERROR
    click.echo(f"{len(files)} {noun} valid.")
    return ExitCode.OK
