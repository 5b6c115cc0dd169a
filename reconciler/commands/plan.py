from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.commands.shared import (
    Format,
    compute_plan,
    emit,
    finish,
    load_or_report,
    report_plan_problems,
    run_async,
)
from reconciler.options import GlobalOptions

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def run(
    paths: Sequence[str],
    options: GlobalOptions,
    *,
    fmt: Format = "text",
    out: Path | None = None,
    detailed_exitcode: bool = False,
) -> int:
    files = load_or_report(paths)
    if files is None:
        return finish(None, options, "plan", EXIT_ERROR, has_changes=False)
    plan, problems = run_async(compute_plan(options, files))
    emit(plan, fmt, options, "plan")
    report_plan_problems(plan, problems)
    if problems or plan.failures:
        # No saved plan from a partial read: applying it would skip integrations silently.
        code = EXIT_ERROR
    elif detailed_exitcode and plan.has_changes:
        code = EXIT_CHANGES
    else:
        code = EXIT_OK
    if out is not None and code != EXIT_ERROR:
        from reconciler.planfile import write_plan_file

        write_plan_file(out, plan, writes_per_minute=options.writes_per_minute)
    return finish(plan, options, "plan", code, has_changes=plan.has_changes)
