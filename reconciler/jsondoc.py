"""Parsing JSON that came from outside (an API answer, a saved plan, a snapshot, a journal, a
sandbox state file): the only module that parses JSON (``tests/test_json_readers.py`` checks).

Python's parser recurses once per nesting level, so a document nested a thousand deep raises
`RecursionError` there, or later in whatever walks the result (a checksum, a model). Every
document this package reads is a handful of levels deep; anything deeper is refused here, so
each reader turns one exception, `ValueError`, into its own one-line error.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

# The deepest document read is about seven levels (plan -> integration -> desired -> statuses
# -> status -> translations); four times that is generous and far from the recursion limit.
MAX_DEPTH = 32


class TooDeepError(ValueError):
    """The document nests arrays and objects deeper than allowed."""


def load_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed document; `ValueError` with a short reason for anything else.

    Refused: bytes that are not UTF-8, text that is not JSON, and nesting deeper than
    ``max_depth`` arrays and objects (`TooDeepError`, a `ValueError`).
    """
    try:
        document = json.loads(data)
    except RecursionError:
        raise TooDeepError(f"it is nested more than {max_depth} levels deep") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"it is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc})") from None
    if _depth_exceeds(document, max_depth):
        raise TooDeepError(f"it is nested more than {max_depth} levels deep")
    return document


def _depth_exceeds(document: Any, max_depth: int) -> bool:
    # Level by level, keeping only arrays and objects: iterative, so a deep document cannot
    # exhaust the stack here either, and scalars (most of a document) are never queued. Every
    # API answer goes through here, so the walk is kept cheap (about half the previous cost).
    level = [document] if isinstance(document, dict | list) else []
    depth = 1
    while level:
        if depth > max_depth:
            return True
        children: list[Any] = []
        for value in level:
            children.extend(value.values() if isinstance(value, dict) else value)
        level = [child for child in children if isinstance(child, dict | list)]
        depth += 1
    return False


def load_model(model: type[M], data: bytes | str, *, max_depth: int = MAX_DEPTH) -> M:
    """``data`` validated against ``model`` in pydantic's JSON mode (strict models then accept an
    ISO 8601 string as a datetime, as the wire writes it), after the same checks as `load_json`.

    Raises `ValueError` (`TooDeepError` included) for what `load_json` refuses, and pydantic's
    `ValidationError` for a document that does not fit ``model``.
    """
    load_json(data, max_depth=max_depth)
    return model.model_validate_json(data)
