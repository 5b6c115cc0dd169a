"""``reconciler render FILE``: the resolved desired state of integration files, with provenance.

What plan and apply will use for a file after its bases are merged in, each value followed by
the file and line that set it. The YAML output is itself a valid (flat) desired-state file;
``--format json`` gives the same with the origins in a parallel tree, for policy tools such as
conftest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import click

from reconciler.config.loader import DesiredFile
from reconciler.console import one_line
from reconciler.quoting import quote
from reconciler.report import load_or_report

EXIT_OK, EXIT_ERROR = 0, 1
RenderFormat = Literal["yaml", "json"]


def run(paths: Sequence[str], *, fmt: RenderFormat = "yaml") -> int:
    files = load_or_report(paths)
    if files is None:
        return EXIT_ERROR
    if fmt == "json":
        documents = [resolved_document(f) for f in files]
        click.echo(json.dumps(documents, indent=2, ensure_ascii=False))
        return EXIT_OK
    click.echo("\n---\n".join(resolved_yaml(f) for f in files))
    return EXIT_OK


def resolved_document(desired: DesiredFile) -> dict[str, Any]:
    """The resolved state, settings, and ``origins``: the same shape, ``file:line`` as values."""
    state = desired.state
    origins: dict[str, Any] = {}
    if state.statuses is not None:
        origins["statuses"] = {
            ext: {
                "status": str(desired.origin("statuses", ext)),
                **{lang: str(desired.origin("statuses", ext, lang)) for lang in texts},
            }
            for ext, texts in state.statuses.items()
        }
    if state.mapping is not None:
        origins["mapping"] = {
            category.value: str(desired.origin("mapping", category.value))
            for category in state.mapping.as_dict()
        }
    return {
        "source": desired.path,
        "extends": list(desired.extends),
        "account": desired.account,
        "labels": list(desired.labels),
        "unmanaged": list(desired.unmanaged),
        "safety": dict(desired.safety.__dict__),
        **{k: v for k, v in state.model_dump(mode="json").items() if v is not None},
        "origins": origins,
        "removed": {ext: str(origin) for ext, origin in desired.removed.items()},
    }


def resolved_yaml(desired: DesiredFile) -> str:
    """A flat desired-state file with ``# from FILE:LINE`` after every value."""
    state = desired.state
    bases = ", ".join(desired.extends) or "no bases"
    lines = [
        _comment(f"{desired.path}, resolved ({bases})"),
        f"integration_id: {state.integration_id}  {_comment(desired.origin('integration_id'))}",
    ]
    settings = [
        _comment(f"account: {desired.account or '(none: the command-line credentials)'}"),
        f"# labels: {_flow(desired.labels)}",
        f"# unmanaged: {_flow(desired.unmanaged)}",
        "# safety: " + ", ".join(f"{k}: {_number(v)}" for k, v in desired.safety.__dict__.items()),
    ]
    lines[1:1] = settings
    if state.statuses is not None:
        lines.append("statuses:" + ("" if state.statuses else " {}"))
        for ext, texts in state.statuses.items():
            lines.append(f"  {_str(ext)}:  {_comment(desired.origin('statuses', ext))}")
            for lang, text in texts.items():
                origin = desired.origin("statuses", ext, lang)
                lines.append(f"    {lang}: {_str(text)}  {_comment(origin)}")
        for ext, origin in desired.removed.items():
            lines.append("  " + _comment(f"{_str(ext)}: removed (null) at {origin}"))
    if state.mapping is not None:
        lines.append("mapping:")
        for category, mapped in state.mapping.as_dict().items():
            value = "null" if mapped is None else _str(mapped)
            origin = desired.origin("mapping", category.value)
            lines.append(f"  {category.value}: {value}  {_comment(origin)}")
    return "\n".join(lines)


def _comment(text: object) -> str:
    # File names (and the account name) go into comments: a line break in one would end the
    # comment and start a YAML key, or a workflow command, of its own.
    return "# " + one_line(str(text))


def _str(text: str) -> str:
    # A double-quoted YAML scalar; \n, \uXXXX... are YAML escapes too, so a control or bidi
    # character reads back as itself without breaking the line.
    return quote(text)


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(_str(i) for i in items) + "]"


def _number(value: float | None) -> str:
    return "null" if value is None else f"{value:g}"
