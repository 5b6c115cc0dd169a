"""The policy checks validate, plan, drift and apply run on the loaded files (rules from the
project file, see `reconciler.policy`); ``policy list`` is `reconciler.commands.policy_list`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.config.loader import DesiredFile
from reconciler.policy import Subject, Violation, evaluate
from reconciler.project import Project
from reconciler.render.common import plural


def check_files(project: Project, files: Sequence[DesiredFile]) -> list[Violation]:
    """The violations of ``project``'s rules by ``files`` (loaded with it, see `load_fleet`);
    `ConfigError` for bad rules. Without a project file: none."""
    from reconciler.config.policies import load_policies

    rules = load_policies(project)
    if not rules:
        return []
    return evaluate(rules, subjects_of(project, files))


def subjects_of(
    project: Project, files: Sequence[DesiredFile]
) -> list[tuple[DesiredFile, Subject]]:
    """Each file with what the selectors see of it: id, path relative to the project file's
    directory, account, and labels (its own and its bases', as the loader resolved them)."""
    return [
        (
            f,
            Subject(
                f.state.integration_id,
                _relative(f.path, Path(project.root)),
                f.account,
                f.labels,
            ),
        )
        for f in files
    ]


def _relative(path: str, root: Path) -> str:
    """``path`` relative to the project directory, with ``/``: what ``paths`` globs match."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), root.resolve())).as_posix()
    except ValueError:
        return Path(path).as_posix()


def report_violations(violations: Sequence[Violation]) -> None:
    """Each violation on stderr (and as an annotation inside GitHub Actions), then a count."""
    if not violations:
        return
    from reconciler import actions as github

    annotate = github.in_github_actions(os.environ)
    for violation in violations:
        click.echo(str(violation), err=True)
        if annotate:
            make = (
                github.error_annotation
                if violation.severity == "error"
                else github.warning_annotation
            )
            why = f"; {violation.message}" if violation.message else ""
            click.echo(
                make(
                    f"{violation.detail}{violation.subject}{why} (rule at {violation.rule_origin})",
                    file=violation.path,
                    line=violation.line,
                    col=violation.col,
                    title=f"policy {violation.rule}",
                ),
                err=True,
            )
    errors = sum(1 for v in violations if v.severity == "error")
    click.echo(
        f"Policy: {plural(errors, 'error')}, {plural(len(violations) - errors, 'warning')}.",
        err=True,
    )


def has_errors(violations: Sequence[Violation]) -> bool:
    """Whether any violation blocks validate and apply."""
    return any(v.severity == "error" for v in violations)
