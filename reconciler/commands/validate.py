from __future__ import annotations

import os
from collections.abc import Sequence

import click

from reconciler.errors import ConfigError, Problem


def run(paths: Sequence[str]) -> int:
    from reconciler.config.loader import load_paths

    try:
        files = load_paths(paths)
    except ConfigError as exc:
        report_problems(exc.problems)
        return 1
    noun = "file" if len(files) == 1 else "files"
    click.echo(f"{len(files)} {noun} valid.")
    return 0


def report_problems(problems: Sequence[Problem]) -> None:
    """Print each problem as file:line:col (and as an annotation inside GitHub Actions)."""
    from reconciler.console import one_line

    for problem in problems:
        click.echo(one_line(str(problem)), err=True)
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
    commands = [
        github.error_annotation(p.message, file=p.path, line=p.line, col=p.col) for p in problems
    ]
    lines, left_out = github.capped_annotations(commands)
    for line in lines:
        click.echo(line, err=True)
    if left_out:
        github.append_step_summary(_problem_list(problems), os.environ)


def _problem_list(problems: Sequence[Problem]) -> str:
    """Every problem as Markdown, for the step summary when not all could be annotations."""
    from reconciler.render.markdown import escape_markdown

    items = [
        f"- <code>{escape_markdown(p.path)}</code> line {p.line}, column {p.col}: "
        f"{escape_markdown(p.message)}"
        for p in problems
    ]
    return "\n".join([f"### {len(problems)} problems in the desired-state files", "", *items, ""])
