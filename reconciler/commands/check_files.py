"""``apply --plan FILE --check-files PATHS``: do PATHS hold what the reviewed plan was made from?

Like is compared with like. The saved plan's desired state of an integration is the file's own
plus the live statuses it carried over because they match ``unmanaged``, so the files are
planned again against the live state the plan recorded, with the patterns, account and safety
thresholds they give now; the plan is voided only when that gives another plan. A comment, a
reordered key or a status moved into a base changes nothing; an edited text, an ``unmanaged``
pattern that now keeps another live status, a file moved to another account or a changed
threshold does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.config.loader import DesiredFile
from reconciler.console import one_line
from reconciler.fleet import Targeting
from reconciler.model import Language
from reconciler.plan import IntegrationPlan, Plan, plan_integration
from reconciler.project import Project
from reconciler.quoting import quote
from reconciler.report import load_fleet_or_report, policy_or_report


def policies_allow(project: Project, files: Sequence[DesiredFile]) -> bool:
    """Whether ``files`` break no error-severity policy (violations and bad rules printed):
    the one check every apply runs, with or without a saved plan."""
    violations = policy_or_report(project, files)
    if violations is None or any(v.severity == "error" for v in violations):
        if violations is not None:
            click.echo("Error: nothing applied: the files break the policies above.", err=True)
        return False
    return True


def files_match_plan(plan: Plan, paths: Sequence[str], plan_file: Path) -> bool:
    """Whether ``paths`` hold the desired state ``plan`` was made from; if not, say where not
    (on stderr, one line per integration that differs) and return False."""
    fleet = load_fleet_or_report(paths, Targeting())
    if fleet is None:
        click.echo(
            "Error: nothing was applied: the files to check the plan against are invalid.",
            err=True,
        )
        return False
    planned = {item.integration_id: item for item in plan.integrations}
    # A targeted plan holds its subset only: the files it left out are not differences.
    left_out = {entry.integration_id for entry in plan.selection.left_out}
    files = [f for f in fleet.files if f.state.integration_id not in left_out]
    # The policies as plain apply runs them, on the files as they are now: a rule added (or a
    # severity raised) since the plan was made blocks its apply too.
    if not policies_allow(fleet.project, files):
        return False
    current = {f.state.integration_id: f for f in files}
    differences: list[str] = []
    for integration_id in sorted(planned.keys() | current.keys()):
        reviewed, now = planned.get(integration_id), current.get(integration_id)
        if now is None and reviewed is not None:
            differences.append(f"integration {integration_id} ({reviewed.source}) is in the "
                               "plan, but no file holds it now")  # fmt: skip
        elif reviewed is None and now is not None:
            differences.append(f"integration {integration_id} ({now.path}) is not in the plan")
        elif reviewed is not None and now is not None:
            differences += (
                f"integration {integration_id} ({now.path}) {why}"
                for why in plan_differences(reviewed, now)
            )
    if not differences:
        return True
    click.echo(
        one_line(
            f"Error: the files are not the ones the plan {plan_file} was made from, so nothing "
            "was applied; plan the files as they are now, review that plan and apply it:"
        ),
        err=True,
    )
    for difference in differences:
        click.echo(one_line(f"  {difference}"), err=True)
    return False


def plan_differences(reviewed: IntegrationPlan, now: DesiredFile) -> list[str]:
    """How planning ``now`` against the live state ``reviewed`` recorded gives another plan
    than ``reviewed``: phrases to follow "integration N (path)"; empty when it gives the same.
    """
    replanned = plan_integration(
        now.path, now.state, reviewed.live, safety=now.safety, unmanaged=now.unmanaged
    )
    found: list[str] = []
    own = _without(reviewed.desired.statuses, reviewed.unmanaged)
    if own != now.state.statuses or reviewed.desired.mapping != now.state.mapping:
        found.append("differs from the file the plan was made from")
    elif replanned.unmanaged != reviewed.unmanaged:
        found.append(
            "leaves other live statuses alone (unmanaged) than the plan did: the plan kept "
            f"{_ids(reviewed.unmanaged)}, the files now keep {_ids(replanned.unmanaged)}"
        )
    account = now.account or ""
    if account != reviewed.account:
        found.append(
            f"belongs to {_account(account)} now, but the plan applies it as "
            f"{_account(reviewed.account)}"
        )
    if replanned.safety != reviewed.safety:
        found.append("has other safety thresholds now than the plan was judged by")
    return found


def _without(
    statuses: dict[str, dict[Language, str]] | None, carried: Sequence[str]
) -> dict[str, dict[Language, str]] | None:
    if statuses is None:
        return None
    return {ext: texts for ext, texts in statuses.items() if ext not in carried}


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(quote(ext) for ext in ids) if ids else "none"


def _account(name: str) -> str:
    return f"account {name}" if name else "no account"
