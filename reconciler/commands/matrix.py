"""``reconciler matrix``: one GitHub Actions matrix entry per account, for ``strategy.matrix``.

One account's throughput is bounded by its own rate limits, so a fleet scales by running its
accounts side by side: one job per account, each with its own key pair. The matrix says, per
account, which files it holds and which variables (repository secrets of the same name) hold its
credentials: never a credential itself. With ``--changed-since REF`` only the accounts holding an
integration the change touches are listed, so a pull request starts only the jobs it needs.

The output is one line of JSON (``{"include": [...]}``), ready for ``$GITHUB_OUTPUT``::

    echo "matrix=$(reconciler matrix integrations/)" >> "$GITHUB_OUTPUT"
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from reconciler.console import one_line
from reconciler.fleet import Targeting, display_path
from reconciler.report import load_fleet_or_report

EXIT_OK, EXIT_ERROR = 0, 1


def matrix(paths: Sequence[str], *, changed_since: str | None = None) -> int:
    """Print the matrix; exit 1 (with the problems on stderr) when the files are invalid."""
    selected = load_fleet_or_report(paths, Targeting(changed_since=changed_since))
    if selected is None:
        return EXIT_ERROR
    project = selected.project
    if project.path is None:
        click.echo(
            one_line(
                "Error: no project file (reconciler.yaml) above "
                f"{', '.join(paths)}; `matrix` lists the accounts it defines"
            ),
            err=True,
        )
        return EXIT_ERROR
    counts: dict[str, int] = {}
    for desired in selected.files:
        counts[desired.account or ""] = counts.get(desired.account or "", 0) + 1
    # Only reachable with `unclaimed: command-line` (otherwise loading refuses such files): no
    # account's job would serve them, and a matrix without them would leave them out silently.
    orphans = [d.path for d in selected.files if not d.account]
    if orphans:
        listed = ", ".join(display_path(path) for path in orphans[:5])
        more = f" and {len(orphans) - 5} more" if len(orphans) > 5 else ""
        click.echo(
            one_line(
                f"Error: {len(orphans)} integration file(s) belong to no account of "
                f"{project.path} ({listed}{more}); a matrix lists accounts, so no job would plan, "
                "apply or check them: add their paths to an account's `paths` (or an account's "
                "label to the files)"
            ),
            err=True,
        )
        return EXIT_ERROR
    counts.pop("", None)
    entries: list[dict[str, Any]] = []
    for name, account in project.model.accounts.items():
        if name not in counts:
            continue
        entries.append(
            {
                "account": name,
                "only": f"account:{name}",
                "paths": list(account.paths),
                "labels": list(account.labels),
                "integrations": counts[name],
                "auth": account.auth,
                "public_key_env": account.public_key_env,
                "secret_key_env": account.secret_key_env,
            }
        )
    click.echo(json.dumps({"include": entries}, separators=(",", ":"), sort_keys=False))
    return EXIT_OK
