"""Text Sendcloud would change on write: names and ids with surrounding whitespace.

Sendcloud's API is DRF-style, and a DRF text field trims surrounding whitespace before it stores
the value. A desired name ``"Paid "`` would be stored as ``"Paid"``, so apply could never verify
it and every plan would show the same change again. Such text is refused at validation, located
at the value, rather than discovered after a write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.errors import Problem

Location = tuple[str, ...]
Position = tuple[int, int]


def surrounding_whitespace(
    data: dict[str, Any],
    name: str,
    positions: Mapping[Location, Position],
    values: Mapping[Location, tuple[Position, str]],
) -> Iterator[Problem]:
    """A problem for each status id, name or mapped id that starts or ends with whitespace.

    `positions` and `values` are the loader's (1-based line, column) of keys and values.
    """
    statuses = data.get("statuses")
    for external_id, names in statuses.items() if isinstance(statuses, dict) else ():
        if isinstance(external_id, str) and external_id != external_id.strip():
            where = positions.get(("statuses", external_id), (1, 1))
            yield _problem(name, where, f"status id {external_id!r}")
        for language, text in names.items() if isinstance(names, dict) else ():
            if isinstance(text, str) and text != text.strip():
                name_loc: Location = ("statuses", external_id, language)
                where = values[name_loc][0] if name_loc in values else (1, 1)
                yield _problem(name, where, f"status {external_id!r} {language} name {text!r}")
    mapping = data.get("mapping")
    for category, external_id in mapping.items() if isinstance(mapping, dict) else ():
        if isinstance(external_id, str) and external_id != external_id.strip():
            id_loc: Location = ("mapping", category)
            where = values[id_loc][0] if id_loc in values else positions.get(id_loc, (1, 1))
            yield _problem(name, where, f"mapping {category}: {external_id!r}")


def _problem(name: str, where: Position, what: str) -> Problem:
    return Problem(
        name,
        *where,
        f"{what} starts or ends with whitespace, which Sendcloud drops when it stores it "
        "(apply could never verify it); remove the surrounding spaces",
    )
