from __future__ import annotations

import os
from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, ExitCode, Problem


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


def report_problems(problems: Sequence[Problem]) -> None:
    """Print each problem as file:line:col (and as an annotation inside GitHub Actions)."""
    for problem in problems:
        click.echo(str(problem), err=True)
    files = len({p.path for p in problems})
    click.echo(
        f"{len(problems)} {'problem' if len(problems) == 1 else 'problems'} in "
        f"{files} {'file' if files == 1 else 'files'}.",
        err=True,
    )
    _annotate(problems)


def _annotate(problems: Sequence[Problem]) -> None:
    from reconciler import actions as github

    if not github.in_github_actions(os.environ):
        return
    # On stderr, so `drift --format markdown > report.md` never captures workflow commands;
    # the Actions runner reads workflow commands from both streams.
    for p in problems:
        click.echo(
            github.error_annotation(p.message, file=p.path, line=p.line, col=p.col), err=True
        )
