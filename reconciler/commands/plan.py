from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.report import Format, finish, known_changes, plan_and_report
from reconciler.sendcloud.options import GlobalOptions

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def run(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    fmt: Format = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
) -> int:
    outcome = plan_and_report(paths, options, fmt, "plan")
    if outcome is None:
        return finish(None, options, "plan", EXIT_ERROR, has_changes=None)
    plan, failed = outcome
    if failed:
        # No saved plan from a partial read: applying it would skip integrations silently.
        code = EXIT_ERROR
    elif detailed_exitcode and plan.has_changes:
        code = EXIT_CHANGES
    else:
        code = EXIT_OK
    if out is not None and code != EXIT_ERROR:
        from reconciler.planfile import write_plan_file

        write_plan_file(out, plan, writes_per_minute=options.writes_per_minute)
    return finish(plan, options, "plan", code, has_changes=known_changes(plan, failed))
