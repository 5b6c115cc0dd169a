"""The saved plan: ``plan --out FILE`` writes the JSON document, ``apply --plan FILE`` reads it.

Reading refuses (``PlanFileError``) anything that is not exactly what a ``plan`` of this version
wrote: a missing or corrupt file, another format version, a document edited by hand (its
``checksum`` no longer matches), a recorded live state that does not match its ``live_checksum``,
or changes this version would compute differently from the recorded states. What is returned per
integration (source, desired state, recorded live state and its checksum) lets apply re-read live
state and refuse an integration that changed since the plan was reviewed.
"""

from __future__ import annotations

import glob
import json
import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import FileRefused, PlanFileError
from reconciler.files import read_user_file, write_atomically
from reconciler.jsondoc import load_json
from reconciler.model import DesiredState, LiveState
from reconciler.plan import IntegrationFailure, Plan, live_checksum, plan_integration
from reconciler.project import Safety, SafetySettings
from reconciler.render.json import (
    CHECKSUM_FIELD,
    FORMAT_VERSION,
    change_document,
    document_checksum,
    plan_document,
    write_document,
)
from reconciler.sendcloud.options import DEFAULT_SANDBOX_STATE, GlobalOptions
from reconciler.targeting import LeftOut, Selection

API_URL_FIELD = "api_url"

_REPLAN = "run `reconciler plan --out FILE` again"
# A plan for a thousand integrations is a few MiB; far more is not a plan file.
MAX_PLAN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SavedIntegration:
    """One integration of a saved plan, as recorded (the live state was checked against its
    ``live_checksum`` on reading)."""

    integration_id: int
    source: str
    desired: DesiredState
    live: LiveState  # the live state the reviewed plan was computed from
    live_checksum: str
    # The thresholds the reviewed plan was judged by (from the project file and the bases).
    safety: Safety = field(default_factory=Safety)
    account: str = ""  # the project file's account whose key pair applies it
    # Live statuses the plan carried over (unmanaged); ``desired`` is the file's, without them.
    unmanaged: tuple[str, ...] = ()
    account_size: int = 0  # integrations of the account in the fleet (max_integration_share)


@dataclass(frozen=True)
class SavedPlan:
    """A verified saved plan: where it was read from, who wrote it, its checksum, its
    integrations and the integrations its ``plan`` could not read."""

    path: Path
    generator: str
    checksum: str
    integrations: tuple[SavedIntegration, ...]
    failures: tuple[IntegrationFailure, ...]
    api_url: str  # the API the plan's live state was read from (see `connect.target`)
    # What a targeted plan left out: applying it touches only the integrations above.
    selection: Selection = field(default_factory=Selection)

    def check_target(self, target: str) -> None:
        """Refuse (``PlanFileError``) to apply the plan against another API than its own."""
        if target != self.api_url:
            raise PlanFileError(
                f"plan file {self.path} was made against {self.api_url}, but this apply would "
                f"write to {target}; apply it with the same --api-url (or --sandbox and "
                f"--sandbox-state) as the plan, or run `reconciler plan --out FILE` against "
                f"{target}"
            )

    def plan(self) -> Plan:
        """The plan as reviewed: recomputed from the recorded desired and live states."""
        return Plan(
            tuple(
                plan_integration(
                    i.source,
                    i.desired,
                    i.live,
                    safety=i.safety,
                    account=i.account,
                    account_size=i.account_size,
                    unmanaged=literal_patterns(i.unmanaged),
                )
                for i in self.integrations
            ),
            self.failures,
            self.selection,
        )


def write_plan_file(
    path: str | os.PathLike[str], plan: Plan, *, writes_per_minute: float, api_url: str
) -> None:
    """Write the plan document atomically: readers see the old file or the whole new one.

    ``api_url`` is the API the live state was read from (`connect.target`); it is covered by
    the checksum, so apply can refuse the plan against another API. Raises ``PlanFileError``
    when the file cannot be written (nothing is left half-written).
    """
    target = Path(path)
    document = plan_document(plan, writes_per_minute=writes_per_minute, mode="plan")
    document[API_URL_FIELD] = api_url
    document[CHECKSUM_FIELD] = document_checksum(document)
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True) + "\n"
    try:
        write_atomically(target, text.encode("ascii"))
    except FileRefused as exc:
        raise PlanFileError(f"cannot write plan file {target}: {exc}") from None


def apply_command(path: str | os.PathLike[str], options: GlobalOptions) -> str:
    """The ``reconciler apply --plan FILE`` command that applies a plan saved with ``options``,
    ready to paste: it repeats the options that choose the API (``--sandbox``,
    ``--sandbox-state``, ``--api-url``), without which apply refuses the plan (`check_target`).
    """
    words = ["reconciler"]
    if options.sandbox:
        words.append("--sandbox")
        if options.sandbox_state != DEFAULT_SANDBOX_STATE:
            words += ["--sandbox-state", options.sandbox_state.as_posix()]
    elif options.api_url is not None:
        words += ["--api-url", options.api_url]
    words += ["apply", "--plan", os.fspath(path)]
    return shlex.join(words)


def read_plan_file(path: str | os.PathLike[str]) -> SavedPlan:
    """Read and verify a saved plan; every refusal is a ``PlanFileError`` naming the file."""
    source = Path(path)
    if not source.exists() and not source.is_symlink():
        raise PlanFileError(f"plan file {source} does not exist; {_REPLAN}")
    try:
        raw = read_user_file(source, limit=MAX_PLAN_BYTES)
    except FileRefused as exc:
        raise PlanFileError(f"plan file {source}: {exc}") from None
    document = _parse(source, raw)
    _check_envelope(source, document)
    generator = document["generator"]
    integrations = tuple(
        _saved_integration(source, entry, generator) for entry in document["integrations"]
    )
    ids = [i.integration_id for i in integrations]
    if len(set(ids)) != len(ids):
        raise PlanFileError(f"plan file {source} lists an integration twice; {_REPLAN}")
    return SavedPlan(
        path=source,
        generator=generator,
        checksum=document[CHECKSUM_FIELD],
        integrations=integrations,
        failures=tuple(_failure(source, entry) for entry in document["failures"]),
        api_url=document[API_URL_FIELD],
        selection=_selection(source, document.get("selection")),
    )


def _selection(source: Path, raw: Any) -> Selection:
    """The recorded selection (a plan file from before targeting has none)."""
    if raw is None:
        return Selection()
    try:
        return Selection(
            left_out=tuple(
                LeftOut(
                    int(i["integration_id"]), str(i["source"]), str(i["account"]), str(i["reason"])
                )
                for i in raw["left_out"]
            ),
            reasons=tuple((int(r["integration_id"]), str(r["reason"])) for r in raw["reasons"]),
            notes=tuple(str(note) for note in raw["notes"]),
            criteria=tuple(str(c) for c in raw["criteria"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"plan file {source} has a malformed selection ({exc})") from None


def _parse(source: Path, raw: bytes) -> dict[str, Any]:
    try:
        document = load_json(raw)
    except ValueError as exc:
        raise PlanFileError(f"plan file {source} cannot be read: {exc}; {_REPLAN}") from None
    if not isinstance(document, dict):
        raise PlanFileError(f"plan file {source} is not a plan document; {_REPLAN}")
    return document


def _check_envelope(source: Path, document: dict[str, Any]) -> None:
    version = document.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise PlanFileError(
            f"plan file {source} has format_version {json.dumps(version)}, but this reconciler "
            f"reads format_version {FORMAT_VERSION}; {_REPLAN}"
        )
    checksum = document.get(CHECKSUM_FIELD)
    if not isinstance(checksum, str) or checksum != document_checksum(document):
        raise PlanFileError(
            f"plan file {source} does not match its checksum: it was edited after `plan` wrote "
            f"it; {_REPLAN}"
        )
    # The checksum proves the file is as written; the shape checks guard against files written
    # by a buggy or foreign producer that computed a matching checksum.
    if document.get("mode") != "plan":
        raise PlanFileError(f"plan file {source} is a drift report, not a plan; {_REPLAN}")
    for key in ("integrations", "failures"):
        if not isinstance(document.get(key), list):
            raise PlanFileError(f"plan file {source} has no {key} list; {_REPLAN}")
    if not isinstance(document.get("generator"), str):
        raise PlanFileError(f"plan file {source} does not name its generator; {_REPLAN}")
    if not isinstance(document.get(API_URL_FIELD), str):
        raise PlanFileError(
            f"plan file {source} does not say which API it was made against; {_REPLAN}"
        )


def _saved_integration(source: Path, entry: Any, generator: str) -> SavedIntegration:
    where = f"plan file {source}"
    if not isinstance(entry, dict):
        raise PlanFileError(f"{where} has an integration that is not an object; {_REPLAN}")
    try:
        integration_id = entry["integration_id"]
        desired = DesiredState.model_validate(entry["desired"])
        live = LiveState.model_validate(entry["live"])
        recorded_checksum = entry["live_checksum"]
        file_source = entry["source"]
    except (KeyError, TypeError, ValidationError) as exc:
        raise PlanFileError(f"{where} has a malformed integration ({exc}); {_REPLAN}") from None
    where = f"{where}, integration {integration_id}"
    if (
        not isinstance(integration_id, int)
        or isinstance(integration_id, bool)
        or not isinstance(file_source, str)
        or not isinstance(recorded_checksum, str)
    ):
        raise PlanFileError(f"{where} has a malformed integration; {_REPLAN}")
    if desired.integration_id != integration_id or live.integration_id != integration_id:
        raise PlanFileError(f"{where}: desired or live state is for another integration")
    if live_checksum(live) != recorded_checksum:
        raise PlanFileError(f"{where}: the recorded live state does not match its live_checksum")
    # What apply will do is recomputed from the recorded states; refuse if that is not what the
    # reviewer saw (a plan written by another version that diffs differently).
    safety = _safety(where, entry.get("safety"))
    unmanaged = entry.get("unmanaged", [])
    if not isinstance(unmanaged, list) or not all(isinstance(u, str) for u in unmanaged):
        raise PlanFileError(f"{where} has a malformed unmanaged list; {_REPLAN}")
    # The recorded desired state holds the carried-over statuses; replan from the file's own
    # so the carried ones (and the delete share, which leaves them out) come out the same.
    if unmanaged and desired.statuses is not None:
        own = {k: v for k, v in desired.statuses.items() if k not in unmanaged}
        desired = desired.model_copy(update={"statuses": own})
    replanned = plan_integration(
        file_source, desired, live, safety=safety, unmanaged=literal_patterns(unmanaged)
    )
    changes = [change_document(c) for c in replanned.changes]
    writes = [write_document(integration_id, w) for w in replanned.writes]
    if entry.get("changes") != changes or entry.get("writes") != writes:
        raise PlanFileError(
            f"{where}: this reconciler computes different changes from the recorded states than "
            f"the plan shows (written by {generator}); {_REPLAN}"
        )
    account = entry.get("account", "")
    if not isinstance(account, str):
        raise PlanFileError(f"{where} has a malformed account; {_REPLAN}")
    account_size = entry.get("account_size", 0)
    if not isinstance(account_size, int) or isinstance(account_size, bool) or account_size < 0:
        raise PlanFileError(f"{where} has a malformed account_size; {_REPLAN}")
    return SavedIntegration(
        integration_id,
        file_source,
        desired,
        live,
        recorded_checksum,
        safety,
        account,
        tuple(unmanaged),
        account_size,
    )


def literal_patterns(external_ids: Sequence[str]) -> tuple[str, ...]:
    """``unmanaged`` patterns matching exactly these status ids: a carried id such as
    ``module-*`` must carry that status again, not every live status it would match as a glob."""
    return tuple(glob.escape(external_id) for external_id in external_ids)


def _safety(where: str, raw: Any) -> Safety:
    """The recorded thresholds; a plan file from before they were configurable has none."""
    if raw is None:
        return Safety()
    try:
        return Safety().overlaid(SafetySettings.model_validate(raw))
    except ValidationError as exc:
        raise PlanFileError(f"{where} has malformed safety thresholds ({exc}); {_REPLAN}") from None


def _failure(source: Path, entry: Any) -> IntegrationFailure:
    try:
        return IntegrationFailure(
            integration_id=int(entry["integration_id"]),
            source=str(entry["source"]),
            message=str(entry["message"]),
            account=str(entry.get("account", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"plan file {source} has a malformed failure ({exc})") from None
