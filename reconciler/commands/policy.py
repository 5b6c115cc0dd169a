"""Policies at the command line: ``reconciler policy list`` and the checks validate, plan, drift
and apply run on the loaded files (rules from the project file, see `reconciler.policy`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.config.loader import DesiredFile
from reconciler.errors import ExitCode
from reconciler.policy import BUILT_IN, Subject, Violation, evaluate


def policy_list(paths: Sequence[str]) -> ExitCode:
    """Print the rules in force for the files under ``paths``; `ConfigError` for bad rules."""
    from reconciler.config.policies import display, find_project_file, load_policies

    project = find_project_file(paths)
    rules = load_policies(project) if project is not None else []
    where = f"from {display(project)}" if project is not None else "(no reconciler.yaml found)"
    click.echo(f"{len(rules) + len(BUILT_IN)} rules in force for {', '.join(paths)} {where}:")
    for placed in rules:
        rule = placed.rule
        selectors = [
            f"{name} {', '.join(str(v) for v in values)}"
            for name, values in (("integrations", rule.integrations), ("paths", rule.paths))
            if values
        ]
        scope = "; only " + "; ".join(selectors) if selectors else ""
        message = f" ({rule.message})" if rule.message else ""
        click.echo(
            f"  {rule.severity:<7} {placed.name}: {placed.describe()}{scope}{message} "
            f"[{placed.origin}]"
        )
    for name, text in BUILT_IN:
        click.echo(f"  {'error':<7} {name}: {text} [built in]")
    return ExitCode.OK


def check_files(paths: Sequence[str], files: Sequence[DesiredFile]) -> list[Violation]:
    """The violations of the rules in force for ``paths`` by ``files``; `ConfigError` for bad
    rules. Without a project file: none."""
    from reconciler.config.policies import find_project_file, load_policies

    project = find_project_file(paths)
    if project is None:
        return []
    rules = load_policies(project)
    root = project.parent
    subjects = [(f, Subject(f.state.integration_id, _relative(f.path, root))) for f in files]
    return evaluate(rules, subjects)


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
                    f"{violation.detail}{why} (rule at {violation.rule_origin})",
                    file=violation.path,
                    line=violation.line,
                    col=violation.col,
                    title=f"policy {violation.rule}",
                ),
                err=True,
            )
    errors = sum(1 for v in violations if v.severity == "error")
    click.echo(
        f"Policy: {errors} {'error' if errors == 1 else 'errors'}, {len(violations) - errors} "
        f"{'warning' if len(violations) - errors == 1 else 'warnings'}.",
        err=True,
    )


def has_errors(violations: Sequence[Violation]) -> bool:
    """Whether any violation blocks validate and apply."""
    return any(v.severity == "error" for v in violations)
