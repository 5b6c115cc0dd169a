from __future__ import annotations

from collections.abc import Sequence

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

EXIT_IN_SYNC, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2


def run(paths: Sequence[str], options: GlobalOptions, *, fmt: Format = "text") -> int:
    """Compare Sendcloud with git: exit 0 in sync, 2 when something differs, 1 on error."""
    files = load_or_report(paths)
    if files is None:
        return finish(None, options, "drift", EXIT_ERROR, has_changes=False)
    plan, problems = run_async(compute_plan(options, files))
    emit(plan, fmt, options, "drift")
    report_plan_problems(plan, problems)
    if problems or plan.failures:
        code = EXIT_ERROR
    else:
        code = EXIT_DRIFT if plan.has_changes else EXIT_IN_SYNC
    return finish(plan, options, "drift", code, has_changes=plan.has_changes)
