"""``adopt`` (and ``restore --to-files``) on a file that extends a base: every kind of live edit,
in a status the base sets or one the file sets, is written back as a valid file holding exactly
the live state, after which ``plan`` shows no changes and the base is untouched."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.cli import main
from tests.commands.simstate import integration, seed
from tests.support.cli import FAST, run
from tests.support.simulator import BackgroundServer

BASE = """\
statuses:
  "2": {en-gb: Paid, nl-nl: Betaald}
  "3": {en-gb: Shipped, nl-nl: Verzonden}
  "4": {en-gb: Delivered, nl-nl: Afgeleverd}
  "5": {en-gb: Returned, nl-nl: Retour}
  "6": {en-gb: Refunded, nl-nl: Terugbetaald}
  "1": {en-gb: Awaiting, nl-nl: Wachten}
mapping: {READY_TO_SEND: "2", IN_TRANSIT: "3", DELIVERED: "4", CANCEL: null}
"""
# "1" removed, a French name added to "3" and "5", "4" renamed in English, "9" the file's own.
SHOP = """\
integration_id: 51
extends: ../bases/shop.yaml
# the Belgian shop
statuses:
  "1": null
  "3": {fr-fr: Expédié}   # French for the border region
  "4": {en-gb: Delivered!}
  "5":
    fr-fr: Retourné
  "9": {en-gb: Own, fr-fr: Propre}
"""
Statuses = dict[str, dict[str, str]]
RESOLVED: Statuses = {
    "2": {"en-gb": "Paid", "nl-nl": "Betaald"},
    "3": {"en-gb": "Shipped", "nl-nl": "Verzonden", "fr-fr": "Expédié"},
    "4": {"en-gb": "Delivered!", "nl-nl": "Afgeleverd"},
    "5": {"en-gb": "Returned", "nl-nl": "Retour", "fr-fr": "Retourné"},
    "6": {"en-gb": "Refunded", "nl-nl": "Terugbetaald"},
    "9": {"en-gb": "Own", "fr-fr": "Propre"},
}
MAPPING: dict[str, str | None] = {"READY_TO_SEND": "2", "IN_TRANSIT": "3", "DELIVERED": "4"}


def _without(statuses: Statuses, ext: str, language: str | None = None) -> Statuses:
    edited = {k: dict(v) for k, v in statuses.items()}
    if language is None:
        del edited[ext]
    else:
        del edited[ext][language]
    return edited


def _with(statuses: Statuses, ext: str, language: str, text: str) -> Statuses:
    edited = {k: dict(v) for k, v in statuses.items()}
    edited.setdefault(ext, {})[language] = text
    return edited


Edit = Callable[[Statuses], Statuses]
STATUS_EDITS: dict[str, Edit] = {
    "the file's only text of a base status removed": lambda s: _without(s, "3", "fr-fr"),
    "the file's only texts of two base statuses removed": lambda s: _without(
        _without(s, "3", "fr-fr"), "5", "fr-fr"
    ),
    "a text the file overrides removed": lambda s: _without(s, "4", "en-gb"),
    "a base text removed": lambda s: _without(s, "2", "nl-nl"),
    "a text of the file's own status removed": lambda s: _without(s, "9", "fr-fr"),
    "a text added to a base status": lambda s: _with(s, "2", "fr-fr", "Payé"),
    "a text added to a status the file extends": lambda s: _with(s, "3", "de-de", "Versandt"),
    "a text added to the file's own status": lambda s: _with(s, "9", "de-de", "Eigen"),
    "a base text changed": lambda s: _with(s, "2", "en-gb", "Paid!"),
    "a text the file added changed": lambda s: _with(s, "3", "fr-fr", "Envoyé"),
    "a text the file overrides changed back to the base's": lambda s: _with(
        s, "4", "en-gb", "Delivered"
    ),
    "a text of the file's own status changed": lambda s: _with(s, "9", "en-gb", "Own!"),
    "a base status removed": lambda s: _without(s, "6"),
    "a base status the file extends removed": lambda s: _without(s, "5"),
    "the file's own status removed": lambda s: _without(s, "9"),
    "a status added": lambda s: _with(s, "10", "en-gb", "New"),
    "a status the file removed is back, in part": lambda s: _with(s, "1", "en-gb", "Awaiting"),
    "a status the file removed is back as the base has it": lambda s: _with(
        _with(s, "1", "en-gb", "Awaiting"), "1", "nl-nl", "Wachten"
    ),
}


@pytest.fixture
def api(live_api: BackgroundServer) -> BackgroundServer:
    subprocess.run(["git", "init", "-q", "."], check=True)  # the project search stops here
    Path("bases").mkdir()
    Path("shops").mkdir()
    Path("bases/shop.yaml").write_text(BASE, encoding="utf-8")
    Path("shops/shop.yaml").write_text(SHOP, encoding="utf-8")
    return live_api


def reconciler(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    return run(capsys, "--api-url", api.base_url, *FAST, *args)


def _adopted_then_in_sync(
    api: BackgroundServer,
    capsys: pytest.CaptureFixture[str],
    statuses: Statuses,
    mapping: dict[str, str | None],
) -> str:
    """Adopt the live state; it must write the file and leave plan with nothing to do."""
    seed(api, {51: integration(statuses, mapping)})

    code, out, err = reconciler(api, capsys, "adopt", "shops")

    assert code == 0, err
    assert "Adopted 1 file from Sendcloud; 0 already in sync." in out
    assert Path("bases/shop.yaml").read_text(encoding="utf-8") == BASE
    code, out, err = reconciler(api, capsys, "plan", "shops", "--detailed-exitcode")
    assert code == 0, out + err
    assert "Plan: no changes across 1 integration" in out
    return Path("shops/shop.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("edit", STATUS_EDITS.values(), ids=STATUS_EDITS.keys())
def test_every_kind_of_live_status_edit_is_adopted_and_plans_in_sync(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str], edit: Edit
) -> None:
    text = _adopted_then_in_sync(api, capsys, edit(RESOLVED), MAPPING)
    assert "# the Belgian shop" in text


def test_every_live_edit_at_once_is_adopted_and_plans_in_sync(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses = RESOLVED
    for edit in STATUS_EDITS.values():
        try:
            statuses = edit(statuses)
        except KeyError:  # a text of a status an earlier edit removed
            continue
    _adopted_then_in_sync(api, capsys, statuses, {**MAPPING, "CANCEL": "10", "IN_TRANSIT": "4"})


@pytest.mark.parametrize(
    "mapping",
    [
        {**MAPPING, "CANCEL": "9"},
        {**MAPPING, "IN_TRANSIT": "5"},
        {**MAPPING, "DELIVERED": None},
    ],
    ids=["onto the file's own status", "onto a status the file extends", "unmapped"],
)
def test_a_moved_mapping_is_adopted_and_plans_in_sync(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str], mapping: dict[str, str | None]
) -> None:
    _adopted_then_in_sync(api, capsys, RESOLVED, mapping)


def test_the_emptied_override_of_a_base_status_leaves_the_file(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tester's case: a French name the file added is removed in the panel."""
    text = _adopted_then_in_sync(api, capsys, _without(RESOLVED, "3", "fr-fr"), MAPPING)

    assert text == SHOP.replace('  "3": {fr-fr: Expédié}   # French for the border region\n', "")


def test_restore_to_files_writes_back_a_translation_the_apply_added(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file adds a French name to a base status, apply adds it live; restoring that apply
    into the files takes the entry out again."""
    before = SHOP.replace('  "9": {en-gb: Own, fr-fr: Propre}\n', "")
    Path("shops/shop.yaml").write_text(before, encoding="utf-8")
    seed(api, {51: integration(_without(RESOLVED, "9"), MAPPING)})
    added = before + '  "6": {fr-fr: Remboursé}\n'
    Path("shops/shop.yaml").write_text(added, encoding="utf-8")
    code, _, err = reconciler(
        api, capsys, "apply", "shops", "--auto-approve", "--journal", "j.jsonl"
    )
    assert code == 0, err

    code, out, err = reconciler(
        api, capsys, "restore", "--journal", "j.jsonl", "--to-files", "shops"
    )

    assert code == 0, err
    assert "Restored 1 file to the state before the apply." in out
    assert Path("shops/shop.yaml").read_text(encoding="utf-8") == before
    assert main(["validate", "shops"]) == 0
