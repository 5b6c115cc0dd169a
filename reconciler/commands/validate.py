from __future__ import annotations

import os
from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, Problem


def run(paths: Sequence[str]) -> int:
    from reconciler.config.loader import load_fleet

    try:
        fleet = load_fleet(paths)
    except ConfigError as exc:
        report_problems(exc.problems)
        return 1
    files, bases = len(fleet.files), len(fleet.bases)
    noun = "file" if files == 1 else "files"
    extending = f" (extending {bases} {'base' if bases == 1 else 'bases'})" if bases else ""
    click.echo(f"{files} {noun} valid{extending}.")
    return 0


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
