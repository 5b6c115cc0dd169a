"""A live state as a desired-state file: what ``import`` writes and ``sandbox show`` prints.

Both go through the same comment-keeping rewrite of a skeleton (`reconciler.config.rewrite`), so
the two always agree, and the text is parsed back before it is returned: it always passes
``validate`` and holds exactly the live state (entries Sendcloud marks invalid become ``null``).
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.config.rewrite import live_mapping, rewrite, skeleton, verify_rewrite
from reconciler.model import LiveState
from reconciler.project import is_unmanaged


def live_document(
    live: LiveState, header: list[str], name: str, *, unmanaged: Sequence[str] = ()
) -> tuple[str, list[str]]:
    """The YAML text of ``live`` under the comment lines ``header``, and its warnings.

    ``name`` is how messages refer to the text (a path). A warning is one sentence per mapping
    entry that points at a deleted status (written as null). Raises `ReconcilerError` if the
    text would not read back as ``live`` (a bug). Statuses matching ``unmanaged`` (the project
    file's patterns) are someone else's: left out.
    """
    mapping, notes = live_mapping(live)
    owned = {e: t for e, t in live.statuses.items() if not is_unmanaged(e, unmanaged)}
    text = rewrite(
        skeleton(live.integration_id, header),
        statuses=owned,
        mapping=mapping,
        notes={category: note for category, (note, _) in notes.items()},
    )
    verify_rewrite(text, name, statuses=owned, mapping=mapping, unmanaged=unmanaged)
    return text, [warning for _, warning in notes.values()]
