"""``reconciler drift``: report where Sendcloud differs from git."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.errors import ExitCode
from reconciler.fleet import Targeting
from reconciler.report import Format, finish, known_changes, plan_and_report
from reconciler.sendcloud.options import GlobalOptions


def drift(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    fmt: Format = "text",
    targeting: Targeting | None = None,
) -> ExitCode:
    """Compare Sendcloud with git: ``OK`` in sync, ``CHANGES`` when something differs, else
    ``ERROR`` (invalid files, or a live state that could not be read)."""
    outcome = plan_and_report(paths, options, fmt, "drift", targeting)
    if outcome is None:
        return finish(None, options, "drift", ExitCode.ERROR, has_changes=None)
    plan, failed = outcome
    if failed:
        return finish(
            plan, options, "drift", ExitCode.ERROR, has_changes=known_changes(plan, failed)
        )
    code = ExitCode.CHANGES if plan.has_changes else ExitCode.OK
    return finish(plan, options, "drift", code, has_changes=plan.has_changes)
