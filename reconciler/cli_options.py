"""The options the commands share: global API options, PATH arguments, targeting, formats.

Part of the command-line surface (`reconciler.cli` builds the commands from these); it imports
only click and light modules, so ``reconciler --help`` stays fast.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from reconciler.sendcloud.options import (
    DEFAULT_PARALLELISM,
    DEFAULT_READS_PER_MINUTE,
    DEFAULT_REQUEST_DEADLINE,
    DEFAULT_SANDBOX_STATE,
    DEFAULT_WRITES_PER_MINUTE,
    GlobalOptions,
)

if TYPE_CHECKING:
    from reconciler.fleet import Targeting

DEFAULT_PATHS = ("integrations/",)

F = TypeVar("F", bound=Callable[..., Any])
Format = Literal["text", "markdown", "json"]


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    # FloatRange lets "nan" through (every comparison with NaN is false), and "inf" means no
    # pacing at all: neither is a rate.
    if value is not None and not math.isfinite(value):
        unit = "seconds" if param.name == "request_deadline" else "requests per minute"
        raise click.BadParameter(f"{value} is not a number of {unit}.", ctx, param)
    return value


class PathParam(click.Path):
    """`click.Path` that refuses an empty (or blank) value as a usage error naming the option.

    click would turn ``--sandbox-state ''`` into ``Path('.')``, the current directory, which
    fails later far from the option (or, for PATH arguments, means "here"). Every option and
    argument taking a path uses this type (``tests/test_cli_paths.py`` checks).
    """

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"{value!r} is an empty path; give a file or directory name", param, ctx)
        return super().convert(value, param, ctx)


_GLOBAL_OPTIONS = (
    click.option("--api-url", default=None, metavar="URL", help="Sendcloud API base URL "
                 "(default: $SENDCLOUD_API_URL or https://panel.sendcloud.sc/api/v3)."),
    click.option("--sandbox", is_flag=True, default=None,
                 help="Use the embedded Sendcloud simulator instead of the real API."),
    click.option("--sandbox-state", type=PathParam(path_type=Path), default=None,
                 help=f"State file of the embedded simulator (default: {DEFAULT_SANDBOX_STATE})."),
    click.option("--debug", is_flag=True, default=None,
                 help="Log every request and response line (credentials redacted)."),
    click.option("--parallelism", type=click.IntRange(1, 256), default=None, metavar="N",
                 help=f"Requests in flight at once (default: {DEFAULT_PARALLELISM})."),
    click.option("--reads-per-minute", type=click.FloatRange(min=1), default=None,
                 callback=_finite,
                 help=f"Pace reads at this rate (default: {DEFAULT_READS_PER_MINUTE:g})."),
    click.option("--writes-per-minute", type=click.FloatRange(min=1), default=None,
                 callback=_finite,
                 help=f"Pace writes at this rate (default: {DEFAULT_WRITES_PER_MINUTE:g}, "
                 "never more than 15 per second)."),
    click.option("--request-deadline", type=click.FloatRange(min=0.1, max=3600), default=None,
                 callback=_finite, metavar="SECONDS", help="Give up an attempt that has not "
                 f"fully answered after this long (default: {DEFAULT_REQUEST_DEADLINE:g}); it may "
                 "be retried."),
)  # fmt: skip


def global_options(func: F) -> F:
    """Accept the shared options both before and after the command name."""
    for option in reversed(_GLOBAL_OPTIONS):
        func = option(func)
    return func


def _options(ctx: click.Context, given: dict[str, Any]) -> GlobalOptions:
    """Merge the options given before the command with those given after it (later wins)."""
    values: dict[str, Any] = dict(ctx.find_root().meta.get("reconciler.global", {}))
    values.update({k: v for k, v in given.items() if v is not None})
    if values.get("sandbox_state") is None:
        values.pop("sandbox_state", None)
    return GlobalOptions(**values)


_GLOBAL_NAMES = ("api_url", "sandbox", "sandbox_state", "debug", "parallelism",
                 "reads_per_minute", "writes_per_minute", "request_deadline")  # fmt: skip


def _split(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in _GLOBAL_NAMES}


paths_argument = click.argument("paths", nargs=-1, type=PathParam(path_type=str))
_FILE = PathParam(path_type=Path, dir_okay=False)  # a file to read or write, not a directory


def _paths(ctx: click.Context, paths: tuple[str, ...]) -> Sequence[str]:
    """The PATH arguments, or the default; one that does not exist is said plainly, at once."""
    chosen = paths or DEFAULT_PATHS
    missing = [path for path in chosen if not os.path.lexists(path)]
    if not missing:
        return chosen
    from reconciler.errors import ReconcilerError

    if not paths:
        # The command as typed below `reconciler`: `plan`, or `policy list`.
        command: list[str] = []
        parent = ctx
        while parent.parent is not None:
            command.insert(0, parent.info_name or "")
            parent = parent.parent
        raise ReconcilerError(
            f"{DEFAULT_PATHS[0]} does not exist in {os.getcwd()}. Given no PATH, reconciler "
            f"reads {DEFAULT_PATHS[0]} in the current directory: run it from the repository "
            "that holds your integration files, or name them, e.g. "
            f"`reconciler {' '.join(command)} examples/integrations/`."
        )
    verb = "does" if len(missing) == 1 else "do"
    raise ReconcilerError(f"{', '.join(missing)} {verb} not exist; check the PATH arguments.")


def targeting_options(func: F) -> F:
    """``--only`` and ``--exclude``: integration ids, file globs, account names or labels."""
    func = click.option(
        "--exclude",
        multiple=True,
        metavar="SELECTOR",
        help="Leave out these integrations (same forms as --only); repeatable.",
    )(func)
    return click.option(
        "--only",
        multiple=True,
        metavar="SELECTOR",
        help="Work only on these integrations: an id (12), a file glob (integrations/nl/**), an "
        "account name or a label (account:NAME, label:NAME to be explicit); repeatable, "
        "or comma-separated.",
    )(func)


def _targeting(
    only: tuple[str, ...], exclude: tuple[str, ...], changed_since: str | None = None
) -> Targeting:
    from reconciler.fleet import Targeting

    return Targeting(only=only, exclude=exclude, changed_since=changed_since)


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the report.",
)
