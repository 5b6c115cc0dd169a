"""The libyaml fast path and the pure-Python path give every file the same meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import reader
from reconciler.config.loader import DesiredFile, parse
from reconciler.errors import ConfigError

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "examples" / "integrations").glob("*.yaml"))

TRICKY = {
    # YAML 1.1 would read these plain scalars as booleans, octal or sexagesimal numbers.
    "yaml_1_2_directive": (
        '%YAML 1.2\n---\nintegration_id: 5\nstatuses:\n  "no": {en-gb: "off"}\n'
        '  "1:20": {en-gb: yes}\nmapping: {READY_TO_SEND: null, IN_TRANSIT: null, '
        "DELIVERED: 1:20, CANCEL: no}\n"
    ),
    "bom_and_crlf": '\ufeffintegration_id: 5\r\nstatuses:\r\n  "4": {en-gb: Shipped}\r\n',
    "anchors": (
        'integration_id: 5\nstatuses:\n  "2": &paid {en-gb: Paid, fr-fr: Payé}\n  "11": *paid\n'
    ),
    "superscript_id": 'integration_id: 5\nstatuses:\n  "²": {en-gb: Squared}\n',
}


def _both_paths(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    results = []
    for pure in (False, True):
        with monkeypatch.context() as patch:
            if pure:

                def declined(text: str) -> None:
                    raise reader._FastPathDeclinedError

                patch.setattr(reader, "_compose_fast", declined)
            try:
                loaded: DesiredFile | list[str] = parse(text, "f.yaml")
            except ConfigError as exc:
                loaded = [str(p) for p in exc.problems]
            results.append(loaded.state if isinstance(loaded, DesiredFile) else loaded)
    return results[0], results[1]


@pytest.mark.parametrize("text", list(TRICKY.values()), ids=list(TRICKY))
def test_tricky_files_mean_the_same_on_both_paths(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, pure = _both_paths(text, monkeypatch)
    assert fast == pure
    assert not isinstance(fast, list), fast


def test_yaml_1_2_directive_keeps_no_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = _both_paths(TRICKY["yaml_1_2_directive"], monkeypatch)
    assert fast.mapping.CANCEL == "no"  # type: ignore[attr-defined]
    assert fast.statuses["no"] == {"en-gb": "off"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_examples_mean_the_same_on_both_paths(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, pure = _both_paths(example.read_text(encoding="utf-8"), monkeypatch)
    assert fast == pure
