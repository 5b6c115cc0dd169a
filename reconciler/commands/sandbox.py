"""``reconciler sandbox``: serve the embedded simulator, or change its state by hand.

``show``, ``set`` and ``edit`` read and write the state file (``--sandbox-state``) directly,
the way a person working in Sendcloud's panel changes Sendcloud: no plan, no journal. A
``sandbox serve`` running on the same file keeps its own copy in memory, so while it runs its
state is changed through the API instead.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.console import one_line
from reconciler.errors import ExitCode, ReconcilerError
from reconciler.simulator.state import IntegrationState, StateStore, StoredStatus

if TYPE_CHECKING:
    from reconciler.model import DesiredState, LiveState


def sandbox_serve(
    *,
    host: str,
    port: int,
    state: Path,
    strict: bool,
    latency: float,
    rate_limits: bool,
    require_oauth2: bool = False,
    token_lifetime: int = 3600,
    trim_whitespace: bool = True,
) -> ExitCode:
    """Serve the simulator over HTTP until interrupted (``reconciler sandbox serve``)."""
    from reconciler.simulator.ratelimit import RateLimits
    from reconciler.simulator.server import CannotListen, serve

    def announce(bound: int) -> None:  # called once the socket is bound, never before
        url = f"http://{f'[{host}]' if ':' in host else host}:{bound}"
        click.echo(
            f"Sendcloud simulator on {url}/api/v3 (state: {state}); use --api-url {url}/api/v3"
            + (
                f" with SENDCLOUD_AUTH=oauth2 and SENDCLOUD_TOKEN_URL={url}/oauth2/token"
                if require_oauth2
                else ""
            )
            + f". {accepted_key_pair()} Ctrl-C stops it.",
            err=True,
        )

    try:
        state.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReconcilerError(
            f"the sandbox state {state} cannot be used ({exc.strerror or exc}); give another "
            "with --state"
        ) from None
    try:
        serve(
            host=host,
            port=port,
            state_path=state,
            strict=strict,
            latency=latency,
            rate_limits=RateLimits(enabled=rate_limits),
            require_oauth2=require_oauth2,
            token_lifetime=token_lifetime,
            trim_whitespace=trim_whitespace,
            announce=announce,
        )
    except CannotListen as exc:
        raise ReconcilerError(cannot_listen(exc.host, exc.port, exc.cause)) from None
    return ExitCode.OK


def cannot_listen(host: str, port: int, cause: OSError) -> str:
    """One line saying why `sandbox serve` cannot listen on host:port, and which flag fixes it."""
    import errno
    import socket

    if isinstance(cause, socket.gaierror):
        return (
            f"--host {host!r} is not an address this machine can resolve ({cause.strerror}); "
            "give an address such as --host 127.0.0.1"
        )
    where = f"{host}:{port}"
    if cause.errno == errno.EADDRINUSE:
        return (
            f"port {port} is already in use ({where}), perhaps by another `sandbox serve`; stop "
            "that, or pick a free port with --port (--port 0 takes any free one)"
        )
    if cause.errno == errno.EACCES:
        return (
            f"permission denied to listen on port {port} ({where}): ports below 1024 need "
            "privileges; pick another with --port, e.g. --port 8080"
        )
    if cause.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on {where}: {host} is not an address of this machine; give one "
            "of its addresses with --host, e.g. --host 127.0.0.1"
        )
    return f"cannot listen on {where} ({cause.strerror or cause}); check --host and --port"


def accepted_key_pair() -> str:
    """The key pair the served simulator accepts, in words; a secret of the user's is not shown."""
    from reconciler.simulator.credentials import (
        PUBLIC_KEY_ENV,
        SANDBOX_PUBLIC_KEY,
        SANDBOX_SECRET_KEY,
        SECRET_KEY_ENV,
        default_credentials,
    )

    if default_credentials() != (SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY):
        return f"It accepts the key pair in {PUBLIC_KEY_ENV} and {SECRET_KEY_ENV}."
    return f"It accepts the key pair {SANDBOX_PUBLIC_KEY} / {SANDBOX_SECRET_KEY}."


# --- the sandbox by hand: what someone clicking in Sendcloud's panel would do ----------------
#
# These commands change the state file directly, the way a person editing statuses in the panel
# changes Sendcloud behind git's back: no plan, no journal, no pacing. That is what `drift` and
# `adopt` are there to notice and take back into git.

SHOW_HEADER = [
    "Integration {id} as the sandbox ({state}) holds it, in the desired-state format.",
    "Change it by hand with `reconciler sandbox set {id} FILE` or `reconciler sandbox edit {id}`.",
]


def sandbox_show(integration_id: int, *, state: Path) -> ExitCode:
    """Print the integration's live state in the desired-state YAML format (stdout)."""
    from reconciler.config.livefile import live_document

    store = _open_store(state)
    live, known = _live(store, integration_id)
    header = [line.format(id=integration_id, state=one_line(str(state))) for line in SHOW_HEADER]
    text, warnings = live_document(live, header, f"sandbox integration {integration_id}")
    click.echo(text, nl=False)
    for warning in warnings:
        click.echo(one_line(f"Warning: {warning}"), err=True)
    if not known:
        click.echo(
            one_line(
                f"Note: the sandbox ({state}) has no integration {integration_id} yet; it starts "
                "empty on first use. `reconciler sandbox set` or `apply --sandbox` fills it."
            ),
            err=True,
        )
    return ExitCode.OK


def sandbox_set(integration_id: int, path: Path, *, state: Path) -> ExitCode:
    """Make the sandbox's live state what the file says (only the sections it has)."""
    from reconciler.config.loader import load_file
    from reconciler.errors import ConfigError

    try:
        desired = load_file(path).state
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(one_line(f"Nothing was changed in the sandbox ({state})."), err=True)
        return ExitCode.ERROR
    _check_id(integration_id, desired.integration_id, str(path))
    store = _open_store(state)
    click.echo(one_line(_set(store, desired, source=str(path), state=state)))
    return ExitCode.OK


def sandbox_edit(integration_id: int, *, state: Path) -> ExitCode:
    """Open $EDITOR (or $VISUAL) on `sandbox show`'s YAML; save it with `sandbox set`.

    An invalid edit changes nothing: its problems are printed located in the edited file,
    which is kept so it can be fixed and passed to ``sandbox set``.
    """
    import tempfile

    from reconciler.config.livefile import live_document
    from reconciler.config.loader import load_file
    from reconciler.editor import editor_command, run_editor
    from reconciler.errors import ConfigError
    from reconciler.sendcloud.options import DEFAULT_SANDBOX_STATE

    # Which editor, before anything is written: without one, say so at once (never wait on a
    # vim that has no terminal) and say how else to make the edit.
    flag = "" if state == Path(DEFAULT_SANDBOX_STATE) else f" --state {state}"
    command = editor_command(
        f"or edit a copy: `reconciler sandbox show {integration_id}{flag} > shop.yaml`, then "
        f"`reconciler sandbox set {integration_id} shop.yaml{flag}`"
    )
    store = _open_store(state)
    live, _ = _live(store, integration_id)
    header = [line.format(id=integration_id, state=one_line(str(state))) for line in SHOW_HEADER]
    text, _ = live_document(live, header, f"sandbox integration {integration_id}")
    fd, name = tempfile.mkstemp(prefix=f"reconciler-sandbox-{integration_id}-", suffix=".yaml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    edited = Path(name)
    try:
        run_editor(command, edited)
    except ReconcilerError as exc:  # the editor could not start, or exited with an error
        click.echo(
            one_line(f"Error: {exc}; nothing was changed (the file is kept: {name})."),
            err=True,
        )
        return ExitCode.ERROR
    if edited.read_text(encoding="utf-8") == text:
        edited.unlink()
        click.echo(f"No edit made; sandbox integration {integration_id} is unchanged.")
        return ExitCode.OK
    try:
        desired = load_file(edited).state
        _check_id(integration_id, desired.integration_id, name)
    except (ConfigError, ReconcilerError) as exc:
        problems = exc.problems if isinstance(exc, ConfigError) else ()
        for line in [str(p) for p in problems] or [one_line(f"Error: {exc}")]:
            click.echo(line, err=True)
        click.echo(
            one_line(
                f"Nothing was changed. Your edit is kept in {name}: fix it and run "
                f"`reconciler sandbox set {integration_id} {name}`."
            ),
            err=True,
        )
        return ExitCode.ERROR
    click.echo(one_line(_set(store, desired, source="your edit", state=state)))
    edited.unlink()
    return ExitCode.OK


def _open_store(state: Path) -> StateStore:
    try:
        return StateStore(state)
    except (OSError, ValueError) as exc:
        raise ReconcilerError(
            f"the sandbox state {state} cannot be used ({exc}), so nothing was changed; fix or "
            "delete the file"
        ) from None


def _check_id(integration_id: int, in_file: int, where: str) -> None:
    if in_file != integration_id:
        raise ReconcilerError(
            f"{where} describes integration {in_file}, not {integration_id}; give the same id "
            f"(`reconciler sandbox set {in_file} {where}`) or change the file's integration_id"
        )


def _live(store: StateStore, integration_id: int) -> tuple[LiveState, bool]:
    """The integration as the API would answer for it, and whether the sandbox knows it."""
    from reconciler.model import CATEGORIES, LiveMappingEntry, LiveState

    with store.reading() as current:
        integration = current.integrations.get(integration_id) or IntegrationState()
        known = integration_id in current.integrations
        statuses = {
            external_id: dict(status.translations)
            for external_id, status in integration.statuses.items()
            if status.deleted_at is None
        }
        mapping = {
            category: LiveMappingEntry(
                external_id=(mapped := integration.mapping.get(category.value)),
                is_valid=mapped is None or integration.is_live(mapped),
            )
            for category in CATEGORIES
        }
    live = LiveState.model_validate(
        {"integration_id": integration_id, "statuses": statuses, "mapping": mapping}
    )
    return live, known


def _set(store: StateStore, desired: DesiredState, *, source: str, state: Path) -> str:
    """Write the file's sections into the state, as the panel would; say what changed."""
    from reconciler.diff import diff_integration

    integration_id = desired.integration_id
    before, _ = _live(store, integration_id)
    changes = diff_integration(desired, before).changes
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        _overwrite(store, desired)
    except OSError as exc:
        raise ReconcilerError(
            f"the sandbox state {state} cannot be written ({exc.strerror or exc}); nothing was "
            "changed. Check the path, or give another with --state"
        ) from None
    if not changes:
        return f"Sandbox integration {integration_id} already holds what {source} says."
    counts = Counter(change.action for change in changes)
    words = ", ".join(f"{n} {_ACTION_WORDS[action][n != 1]}" for action, n in counts.items())
    return f"Sandbox integration {integration_id} ({state}) set from {source}: {words}."


def _overwrite(store: StateStore, desired: DesiredState) -> None:
    """The file's sections into the state (saved atomically); OSError if it cannot be saved."""
    integration_id = desired.integration_id
    with store.transaction() as current:
        integration = current.integrations.setdefault(integration_id, IntegrationState())
        if desired.statuses is not None:
            # A full overwrite with soft delete, exactly as POST /shop-order-statuses does it.
            integration.overwrite_statuses(
                [
                    StoredStatus(ext, {str(lang): text for lang, text in names.items()})
                    for ext, names in desired.statuses.items()
                ]
            )
        if desired.mapping is not None:
            mapping = desired.mapping.as_dict()
            integration.mapping = {category.value: mapping[category] for category in mapping}


_ACTION_WORDS = {  # action -> (one, several)
    "create": ("status added", "statuses added"),
    "delete": ("status deleted", "statuses deleted"),
    "remap": ("mapping category changed", "mapping categories changed"),
    "update": ("status edited", "statuses edited"),
}
