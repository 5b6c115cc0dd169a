"""``reconciler plan``: show what apply would change in Sendcloud (reads only)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reconciler.errors import ExitCode
from reconciler.report import Format, finish, known_changes, plan_and_report
from reconciler.sendcloud.options import GlobalOptions


def plan(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    fmt: Format = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
) -> ExitCode:
    """Print the plan for the files under ``paths``; save it to ``out`` when given.

    Returns ``ERROR`` when a file is invalid, breaks a policy of severity error, or a live state
    could not be read (no plan file is written then), ``CHANGES`` with ``detailed_exitcode``
    and changes pending, else ``OK``.
    """
    outcome = plan_and_report(paths, options, fmt, "plan")
    if outcome is None:
        return finish(None, options, "plan", ExitCode.ERROR, has_changes=None)
    computed, failed = outcome
    blocked = any(v.severity == "error" for v in computed.policy)
    if failed or blocked:
        # No saved plan from a partial read (applying it would skip integrations silently), nor
        # from files that break an error-severity policy (apply refuses those).
        code = ExitCode.ERROR
    elif detailed_exitcode and computed.has_changes:
        code = ExitCode.CHANGES
    else:
        code = ExitCode.OK
    if out is not None and code != ExitCode.ERROR:
        from reconciler.planfile import write_plan_file
        from reconciler.sendcloud.connect import target

        api_url = target(options, os.environ)
        write_plan_file(out, computed, writes_per_minute=options.writes_per_minute, api_url=api_url)
    return finish(computed, options, "plan", code, has_changes=known_changes(computed, failed))
