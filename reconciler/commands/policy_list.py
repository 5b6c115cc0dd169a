"""``reconciler policy list [PATH...]``: the rules in force for some files, what each selects.

The files are loaded as validate loads them (`reconciler.config.loader.load_fleet`), so a rule's
``accounts`` and ``labels`` are evaluated with the accounts and labels the fleet resolves.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.commands.policy import subjects_of
from reconciler.console import one_line
from reconciler.errors import ConfigError, ExitCode
from reconciler.policy import BUILT_IN, PlacedRule, applies_to
from reconciler.render.common import plural

# `policy list` names at most this many files a rule applies to (a fleet has hundreds).
MAX_FILES_NAMED = 5


def policy_list(paths: Sequence[str]) -> ExitCode:
    """Print the rules in force for the files under ``paths`` (as validate loads them), each
    with its selectors and the files it applies to, and how many rules select none of them.

    ``ERROR`` after printing the problems when a file or a rule is invalid.
    """
    from reconciler.config.loader import load_fleet
    from reconciler.config.policies import load_policies
    from reconciler.report import report_problems

    try:
        fleet = load_fleet(paths)
        rules = load_policies(fleet.project)
    except ConfigError as exc:
        report_problems(exc.problems)
        return ExitCode.ERROR
    subjects = subjects_of(fleet.project, fleet.files)
    in_force = [
        (placed, [f.path for f, subject in subjects if applies_to(placed.rule, subject)])
        for placed in rules
    ]
    selecting = [(placed, files) for placed, files in in_force if files]
    where = (
        f"from {fleet.project.path}"
        if fleet.project.path is not None
        else "(no reconciler.yaml found: only the built-in rule)"
    )
    count = plural(len(selecting) + len(BUILT_IN), "rule")
    _say(f"{count} in force for {', '.join(paths)} ({plural(len(subjects), 'file')}) {where}:")
    for placed, files in selecting:
        _echo_rule(placed, files, len(subjects))
    for name, text in BUILT_IN:
        _say(f"  {'error':<7} {name}: {text} [built in]")
    if fleet.project.path is None:
        return ExitCode.OK
    unused = [placed.name for placed, files in in_force if not files]
    if unused:
        verb = "selects" if len(unused) == 1 else "select"
        _say(
            f"{plural(len(unused), 'rule')} of {fleet.project.path} {verb} none of these "
            f"files: {', '.join(unused)}."
        )
    else:
        _say(f"Every rule of {fleet.project.path} selects some of these files.")
    return ExitCode.OK


def _echo_rule(placed: PlacedRule, files: Sequence[str], total: int) -> None:
    rule = placed.rule
    _say(f"  {rule.severity:<7} {placed.name}: {placed.describe()} [{placed.origin}]")
    indent = " " * 10
    if rule.message:
        _say(f"{indent}{rule.message}")
    _say(f"{indent}selects: {selectors(placed)}")
    if len(files) == total:
        _say(f"{indent}applies to: {'the file' if total == 1 else f'all {total} files'}")
        return
    named = ", ".join(files[:MAX_FILES_NAMED])
    more = f" and {len(files) - MAX_FILES_NAMED} more" if len(files) > MAX_FILES_NAMED else ""
    _say(f"{indent}applies to {len(files)} of {plural(total, 'file')}: {named}{more}")


def selectors(placed: PlacedRule) -> str:
    """``accounts agency-de; labels tier-1``, or ``every file`` for a rule without selectors."""
    rule = placed.rule
    given = [
        f"{name} {', '.join(str(v) for v in values)}"
        for name, values in (
            ("integrations", rule.integrations),
            ("paths", rule.paths),
            ("accounts", rule.accounts),
            ("labels", rule.labels),
        )
        if values
    ]
    return "; ".join(given) or "every file"


def _say(text: str) -> None:
    # Paths, rule names and messages are user text: one printable line each, never a command.
    click.echo(one_line(text))
