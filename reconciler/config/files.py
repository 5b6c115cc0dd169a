"""Checking what import and adopt produce: valid and faithful.

`verify_rewrite` refuses a text unless `reconciler validate` would accept it and it holds exactly
the intended state (so what import or adopt writes always passes validate, size cap included);
`live_mapping` turns a live mapping into one a valid file can hold. Writing the result is
`reconciler.files.write_atomically`'s job (atomic, never through a link, not over an edit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.config.reader import MAX_FILE_BYTES
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.model import CATEGORIES, Category, DesiredState, Language, LiveState, StatusMapping

Statuses = Mapping[str, Mapping[Language, str]]
MappedIds = Mapping[Category, str | None]
# Per category: the comment written on the mapping line, and the warning printed.
Notes = dict[Category, tuple[str, str]]


def live_mapping(live: LiveState) -> tuple[dict[Category, str | None], Notes]:
    """The live mapping as a file can hold it: entries Sendcloud marks invalid become null.

    Such an entry points at a status that no longer exists; a file mapping onto it would not
    pass ``validate``, so it is written unmapped, with a comment and a warning saying why.
    """
    mapping: dict[Category, str | None] = {}
    notes: Notes = {}
    for category in CATEGORIES:
        entry = live.mapping[category]
        if entry.is_valid or entry.external_id is None:
            mapping[category] = entry.external_id
            continue
        mapping[category] = None
        notes[category] = (
            f"live mapping pointed at status {entry.external_id!r}, which was deleted",
            f"live mapping {category.value} points at status {entry.external_id!r}, which no "
            "longer exists; written as null (unmapped): map it to a status here or in Sendcloud",
        )
    return mapping, notes


def parse_rewritten(text: str, path: str, *, unmanaged: Sequence[str], what: str) -> DesiredState:
    """The state ``text`` resolves to, as `reconciler validate` would read it; `ReconcilerError`
    when it is over the file size cap or invalid (``what`` names the form: "a valid file")."""
    from reconciler.config.loader import parse

    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ReconcilerError(
            f"the file would be {size / 2**20:.1f} MiB, larger than the "
            f"{MAX_FILE_BYTES // 2**20} MiB a desired-state file may be (`reconciler validate` "
            "would refuse it); delete the statuses the shop no longer uses, then try again"
        )
    try:
        return parse(text, path, unmanaged=unmanaged).state
    except ConfigError as exc:
        problems = "; ".join(p.message for p in exc.problems)
        raise ReconcilerError(f"the live state cannot be written as {what} ({problems})") from None


def verify_rewrite(
    text: str,
    path: str,
    *,
    statuses: Statuses | None,
    mapping: MappedIds | None,
    base: DesiredState | None = None,
    unmanaged: Sequence[str] = (),
) -> None:
    """Refuse to write ``text`` unless it is a valid file holding exactly the intended state.

    ``unmanaged``: the effective patterns (the mapping may point at such statuses)."""
    written = parse_rewritten(text, path, unmanaged=unmanaged, what="a valid file")
    expected_statuses = (
        {ext: dict(translations) for ext, translations in statuses.items()}
        if statuses is not None
        else (base.statuses if base is not None else None)
    )
    expected_mapping = (
        StatusMapping.from_dict(dict(mapping))
        if mapping is not None
        else (base.mapping if base is not None else None)
    )
    if written.statuses != expected_statuses or written.mapping != expected_mapping:
        raise ReconcilerError(
            "the rewritten file would not match the live state (a bug in reconciler); "
            "please report it with the file"
        )
