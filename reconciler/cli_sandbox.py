"""``reconciler sandbox``: the embedded simulator served over HTTP, or changed by hand.

Part of the command-line surface (`reconciler.cli` adds the group); like it, this module imports
only click and light modules, and each command imports its implementation when it runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler import helptext
from reconciler.cli_options import PathParam
from reconciler.sendcloud.options import DEFAULT_SANDBOX_STATE


@click.group()
def sandbox() -> None:
    """The embedded Sendcloud simulator: serve it, or change its state by hand."""


@sandbox.command("serve", epilog=helptext.SANDBOX_SERVE)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--state",
    type=PathParam(path_type=Path, dir_okay=False),
    default=DEFAULT_SANDBOX_STATE,
    show_default=True,
    help="State file.",
)
@click.option(
    "--strict", is_flag=True, help="Only integrations in the state file exist; others answer 404."
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds added to every answer.",
)
@click.option("--no-rate-limit", is_flag=True, help="Do not enforce Sendcloud's rate limits.")
@click.option(
    "--require-oauth2",
    is_flag=True,
    help="Refuse Basic auth, like an integration set to use OAuth2 (tokens: POST /oauth2/token).",
)
@click.option(
    "--token-lifetime",
    type=click.IntRange(min=1),
    default=3600,
    show_default=True,
    help="Seconds an OAuth2 access token lives.",
)
@click.option(
    "--keep-whitespace",
    is_flag=True,
    help="Store posted names and ids as sent (by default surrounding whitespace is trimmed).",
)
def sandbox_serve(
    host: str,
    port: int,
    state: Path,
    strict: bool,
    latency: float,
    no_rate_limit: bool,
    require_oauth2: bool,
    token_lifetime: int,
    keep_whitespace: bool,
) -> int:
    """Serve the simulator over HTTP (e.g. for --api-url http://127.0.0.1:8080/api/v3)."""
    from reconciler.commands import sandbox as command

    return command.sandbox_serve(
        host=host,
        port=port,
        state=state,
        strict=strict,
        latency=latency,
        rate_limits=not no_rate_limit,
        require_oauth2=require_oauth2,
        token_lifetime=token_lifetime,
        trim_whitespace=not keep_whitespace,
    )


state_option = click.option(
    "--state",
    type=PathParam(path_type=Path, dir_okay=False),
    default=None,
    help=f"State file (default: --sandbox-state, else {DEFAULT_SANDBOX_STATE}).",
)


def _sandbox_state(ctx: click.Context, state: Path | None) -> Path:
    given = ctx.find_root().meta.get("reconciler.global", {}).get("sandbox_state")
    return state or given or DEFAULT_SANDBOX_STATE


@sandbox.command("show", epilog=helptext.SANDBOX_SHOW)
@click.argument("integration_id", type=click.IntRange(min=1))
@state_option
@click.pass_context
def sandbox_show(ctx: click.Context, /, integration_id: int, state: Path | None) -> int:
    """Print an integration's live state in the sandbox, in the desired-state file format."""
    from reconciler.commands import sandbox as command

    return command.sandbox_show(integration_id, state=_sandbox_state(ctx, state))


@sandbox.command("set", epilog=helptext.SANDBOX_SET)
@click.argument("integration_id", type=click.IntRange(min=1))
@click.argument("file", type=PathParam(path_type=Path, dir_okay=False))
@state_option
@click.pass_context
def sandbox_set(ctx: click.Context, /, integration_id: int, file: Path, state: Path | None) -> int:
    """Make the sandbox hold what FILE says, as a hand edit in Sendcloud's panel would.

    Only the sections FILE has are changed; statuses it leaves out are deleted (soft delete, as
    the API does). No plan, no journal: `drift` and `adopt` see it as a change made by hand.
    """
    from reconciler.commands import sandbox as command

    return command.sandbox_set(integration_id, file, state=_sandbox_state(ctx, state))


@sandbox.command("edit", epilog=helptext.SANDBOX_EDIT)
@click.argument("integration_id", type=click.IntRange(min=1))
@state_option
@click.pass_context
def sandbox_edit(ctx: click.Context, /, integration_id: int, state: Path | None) -> int:
    """Edit an integration's sandbox state in $VISUAL or $EDITOR (show, edit, then set).

    An invalid edit changes nothing: its problems are printed and the edited file is kept.
    """
    from reconciler.commands import sandbox as command

    return command.sandbox_edit(integration_id, state=_sandbox_state(ctx, state))
