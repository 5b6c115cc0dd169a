"""A live state as a desired-state file: what ``import`` writes and ``sandbox show`` prints.

Both go through the same comment-keeping rewrite of a skeleton (`reconciler.config.rewrite`), so
the two always agree, and the text is parsed back before it is returned: it always passes
``validate`` and holds exactly the live state (entries Sendcloud marks invalid become ``null``).
"""

from __future__ import annotations

from reconciler.config.rewrite import live_mapping, rewrite, skeleton, verify_rewrite
from reconciler.model import LiveState


def live_document(live: LiveState, header: list[str], name: str) -> tuple[str, list[str]]:
    """The YAML text of ``live`` under the comment lines ``header``, and its warnings.

    ``name`` is how messages refer to the text (a path). A warning is one sentence per mapping
    entry that points at a deleted status (written as null). Raises `ReconcilerError` if the
    text would not read back as ``live`` (a bug).
    """
    mapping, notes = live_mapping(live)
    text = rewrite(
        skeleton(live.integration_id, header),
        statuses=live.statuses,
        mapping=mapping,
        notes={category: note for category, (note, _) in notes.items()},
    )
    verify_rewrite(text, name, statuses=live.statuses, mapping=mapping)
    return text, [warning for _, warning in notes.values()]
