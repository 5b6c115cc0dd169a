"""`adopt` and `import` write what the reader accepts: aliases, byte-order marks, sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.config.files import verify_rewrite
from reconciler.config.reader import MAX_FILE_BYTES
from reconciler.errors import ReconcilerError
from reconciler.model import LANGUAGES
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer


@pytest.fixture
def api(live_api: BackgroundServer) -> BackgroundServer:
    Path("integrations").mkdir()
    return live_api


def reconciler(api: BackgroundServer, *args: str) -> int:
    return main(["--api-url", api.base_url, *args])


ALIASED = """\
integration_id: 7
statuses:
  "2": &paid {en-gb: Paid, fr-fr: Payé}
  "11": *paid
  "12": *paid
"""


def test_a_change_to_an_aliased_status_expands_the_alias_there_only(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    paid = {"en-gb": "Paid", "fr-fr": "Payé"}
    seed(api, {7: integration({"2": paid, "11": {**paid, "en-gb": "Paid late"}, "12": paid}, {})})
    path = Path("integrations", "shop.yaml")
    path.write_text(ALIASED, encoding="utf-8")

    assert reconciler(api, "adopt", str(path)) == 0

    assert path.read_text(encoding="utf-8") == ALIASED.replace(
        '"11": *paid', '"11": {en-gb: Paid late, fr-fr: Payé}'
    )
    out = capsys.readouterr()
    assert out.out.endswith("Adopted 1 file from Sendcloud; 0 already in sync.\n")
    assert out.err == ""


def test_a_change_to_the_anchored_status_leaves_the_aliases_their_old_texts(
    api: BackgroundServer,
) -> None:
    paid = {"en-gb": "Paid", "fr-fr": "Payé"}
    seed(api, {7: integration({"2": {**paid, "en-gb": "Paid now"}, "11": paid, "12": paid}, {})})
    path = Path("integrations", "shop.yaml")
    path.write_text(ALIASED, encoding="utf-8")

    assert reconciler(api, "adopt", str(path)) == 0

    assert reconciler(api, "plan", "--detailed-exitcode", str(path)) == 0


def test_a_byte_order_mark_and_crlf_line_endings_are_kept(api: BackgroundServer) -> None:
    seed(api, {7: integration({"2": {"en-gb": "Paid"}, "4": {"en-gb": "Shipped"}}, {})})
    path = Path("integrations", "shop.yaml")
    path.write_bytes(b'\xef\xbb\xbfintegration_id: 7\r\nstatuses:\r\n  "2": {en-gb: Paid}\r\n')

    assert reconciler(api, "adopt", str(path)) == 0

    assert path.read_bytes() == (
        b'\xef\xbb\xbfintegration_id: 7\r\nstatuses:\r\n  "2": {en-gb: Paid}\r\n'
        b'  "4":\r\n    en-gb: Shipped\r\n'
    )


def test_a_file_that_fails_is_counted_as_failed_never_as_in_sync(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Sendcloud holds a text a file cannot hold as written (it ends with a space), so the
    # rewrite is refused: the summary must not call that file "in sync".
    seed(api, {7: integration({"2": {"en-gb": "Paid "}}, {})})
    path = Path("integrations", "shop.yaml")
    before = 'integration_id: 7\nstatuses:\n  "2": {en-gb: Paid}\n'
    path.write_text(before, encoding="utf-8")

    assert reconciler(api, "adopt", str(path)) == 1

    out = capsys.readouterr()
    assert "Error: integrations/shop.yaml: not written:" in out.err
    assert "ends with a space" in out.err
    assert out.out == "Adopted 0 files from Sendcloud; 0 already in sync; 1 failed.\n"
    assert path.read_text(encoding="utf-8") == before


def test_an_import_of_a_thousand_statuses_in_seven_languages_validates(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses = {
        str(n): {language: f"Status number {n} " * 11 + language for language in LANGUAGES}
        for n in range(1, 1001)
    }
    seed(api, {7: integration(statuses, {})})

    assert reconciler(api, "import", "--dir", "integrations", "7") == 0

    written = Path("integrations", "7.yaml")
    assert 1024 * 1024 < written.stat().st_size < MAX_FILE_BYTES
    capsys.readouterr()
    assert main(["validate", str(written)]) == 0
    assert capsys.readouterr().out == "1 file valid.\n"


def test_a_rewrite_over_the_size_cap_is_refused_before_anything_is_written() -> None:
    text = "integration_id: 7\n" + "#" * MAX_FILE_BYTES
    with pytest.raises(ReconcilerError, match=r"larger than the 4 MiB a desired-state file"):
        verify_rewrite(text, "7.yaml", statuses=None, mapping=None)
