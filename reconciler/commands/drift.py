from __future__ import annotations

from collections.abc import Sequence

from reconciler.report import Format, finish, known_changes, plan_and_report
from reconciler.sendcloud.options import GlobalOptions

EXIT_IN_SYNC, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2


def run(paths: Sequence[str], options: GlobalOptions, *, fmt: Format = "text") -> int:
    """Compare Sendcloud with git: exit 0 in sync, 2 when something differs, 1 on error."""
    outcome = plan_and_report(paths, options, fmt, "drift")
    if outcome is None:
        return finish(None, options, "drift", EXIT_ERROR, has_changes=None)
    plan, failed = outcome
    if failed:
        return finish(plan, options, "drift", EXIT_ERROR, has_changes=known_changes(plan, failed))
    code = EXIT_DRIFT if plan.has_changes else EXIT_IN_SYNC
    return finish(plan, options, "drift", code, has_changes=plan.has_changes)
