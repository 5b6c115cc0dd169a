"""`reconciler adopt` against the real HTTP simulator: files follow Sendcloud, layout kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer


@pytest.fixture
def api(live_api: BackgroundServer) -> BackgroundServer:
    Path("integrations").mkdir()
    return live_api


def reconciler(api: BackgroundServer, *args: str) -> int:
    return main(["--api-url", api.base_url, *args])


def write(name: str, text: str) -> Path:
    path = Path("integrations", name)
    path.write_text(text, encoding="utf-8")
    return path


SHOP = """\
# yaml-language-server: $schema=../schemas/integration.schema.json
# Our web shop: keep in sync with the PrestaShop back office.
integration_id: 123

mapping:    # which status each category uses
    READY_TO_SEND: '2'
    IN_TRANSIT: 4      # shipped
    DELIVERED: Send-4
    CANCEL: "6"

statuses:
    # Paid, in two languages
    '2':
        nl-nl: Betaling aanvaard
        en-gb: "Payment accepted"    # as in the shop
    # Shipped
    4:
        en-gb: Shipped
    Send-4: {en-gb: Delivered}
    # Cancelled: going away
    "6":
        en-gb: Cancelled   # old name
# end of file
"""

SHOP_LIVE = integration(
    {
        "12": {"en-gb": "Refunded"},
        "2": {"en-gb": "Payment accepted", "nl-nl": "Betaling ontvangen"},
        "4": {"fr-fr": "Expédié", "en-gb": "Sent"},
        "Send-4": {"en-gb": "Delivered"},
        "11": {"en-gb": "Back order"},
    },
    {"READY_TO_SEND": "2", "IN_TRANSIT": "4", "DELIVERED": "Send-4"},
)

SHOP_ADOPTED = """\
# yaml-language-server: $schema=../schemas/integration.schema.json
# Our web shop: keep in sync with the PrestaShop back office.
integration_id: 123

mapping:    # which status each category uses
    READY_TO_SEND: '2'
    IN_TRANSIT: 4      # shipped
    DELIVERED: Send-4
    CANCEL: null

statuses:
    # Paid, in two languages
    '2':
        nl-nl: Betaling ontvangen
        en-gb: "Payment accepted"    # as in the shop
    # Shipped
    4:
        en-gb: Sent
        fr-fr: Expédié
    Send-4: {en-gb: Delivered}
    "11":
        en-gb: Back order
    "12":
        en-gb: Refunded
# end of file
"""


def test_rewrites_what_differs_keeping_comments_order_quotes_and_indentation(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {123: SHOP_LIVE})
    path = write("shop.yaml", SHOP)

    assert reconciler(api, "adopt", "integrations") == 0

    assert path.read_text(encoding="utf-8") == SHOP_ADOPTED
    out = capsys.readouterr()
    assert out.out == (
        "integrations/shop.yaml: "
        'status "2" nl-nl was "Betaling aanvaard", now "Betaling ontvangen"; '
        'status "4" en-gb was "Shipped", now "Sent"; '
        'status "4" fr-fr was unset, now "Expédié"; '
        'status "6" removed (en-gb "Cancelled"); '
        'status "11" added (en-gb "Back order"); '
        'status "12" added (en-gb "Refunded"); '
        'mapping CANCEL was "6", now unmapped\n'
        "Adopted 1 file from Sendcloud; 0 already in sync.\n"
    )
    assert out.err == ""
    assert sorted(p.name for p in Path("integrations").iterdir()) == ["shop.yaml"]

    assert reconciler(api, "plan", "integrations", "--detailed-exitcode") == 0
    assert main(["validate", "integrations"]) == 0


def test_a_file_in_sync_is_left_byte_for_byte_untouched(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {7: integration({"1": {"en-gb": "Open"}}, {"READY_TO_SEND": "1"})})
    odd = "integration_id:   7\nstatuses: {1: {en-gb: 'Open'}}\r\nmapping:\n  READY_TO_SEND: 1\n"
    odd += "  IN_TRANSIT: ~\n  DELIVERED:\n  CANCEL: null   # later\n"
    path = write("seven.yml", odd)
    before = path.stat().st_mtime_ns

    assert reconciler(api, "adopt", str(path)) == 0

    assert path.read_bytes() == odd.encode()
    assert path.stat().st_mtime_ns == before
    assert capsys.readouterr().out == "Adopted 0 files from Sendcloud; 1 already in sync.\n"


def test_only_managed_sections_are_touched(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(
        api,
        {
            5: integration(
                {"1": {"en-gb": "Open"}, "2": {"en-gb": "Paid"}},
                {"READY_TO_SEND": "2", "DELIVERED": "1"},
            )
        },
    )
    path = write(
        "mapping-only.yaml",
        "integration_id: 5\n# statuses live in the shop\nmapping:\n"
        '  READY_TO_SEND: "1"  # first\n  IN_TRANSIT: null\n  DELIVERED: null\n  CANCEL: null\n',
    )

    assert reconciler(api, "adopt", str(path)) == 0

    assert path.read_text() == (
        "integration_id: 5\n# statuses live in the shop\nmapping:\n"
        '  READY_TO_SEND: "2"  # first\n  IN_TRANSIT: null\n  DELIVERED: "1"\n  CANCEL: null\n'
    )
    assert capsys.readouterr().out.startswith(
        'integrations/mapping-only.yaml: mapping READY_TO_SEND was "1", now "2"; '
        'mapping DELIVERED was unmapped, now "1"\n'
    )
    assert reconciler(api, "plan", str(path), "--detailed-exitcode", "--format", "json") == 0


def test_an_invalid_file_stops_everything_before_any_read(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {1: integration({"1": {"en-gb": "Open"}}, {})})
    good = write("good.yaml", "integration_id: 1\nstatuses: {}\n")
    write("bad.yaml", "integration_id: 2\nstatuses:\n  04: {en-gb: x}\n")

    assert reconciler(api, "adopt", "integrations") == 1

    assert good.read_text() == "integration_id: 1\nstatuses: {}\n"
    assert api.simulator.log.entries() == []
    assert "integrations/bad.yaml:3:3:" in capsys.readouterr().err


def test_a_failed_read_is_reported_and_the_others_are_adopted(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {1: integration({"1": {"en-gb": "Open"}}, {})})
    api.simulator.configure(strict=True)
    one = write("one.yaml", "integration_id: 1\nstatuses: {}\n")
    write("missing.yaml", "integration_id: 999\nstatuses: {}\n")

    assert reconciler(api, "adopt", "integrations") == 1

    assert one.read_text() == 'integration_id: 1\nstatuses:\n  "1":\n    en-gb: Open\n'
    out = capsys.readouterr()
    assert out.err.startswith(
        "Error: integrations/missing.yaml: integration 999: Integration 999 does not exist"
    )
    assert out.out == (
        'integrations/one.yaml: status "1" added (en-gb "Open")\n'
        "Adopted 1 file from Sendcloud; 0 already in sync; 1 failed.\n"
    )


def test_a_live_mapping_onto_a_deleted_status_becomes_null_with_a_comment(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(
        api,
        {
            3: integration(
                {"1": {"en-gb": "Open"}}, {"CANCEL": "9"}, deleted={"9": {"en-gb": "Gone"}}
            )
        },
    )
    path = write(
        "three.yaml",
        "integration_id: 3\nstatuses:\n  '1': {en-gb: Open}\n  '9': {en-gb: Gone}\n"
        "mapping:\n  READY_TO_SEND: null\n  IN_TRANSIT: null\n  DELIVERED: null\n"
        "  CANCEL: '9'\n",
    )

    assert reconciler(api, "adopt", str(path)) == 0

    assert path.read_text() == (
        "integration_id: 3\nstatuses:\n  '1': {en-gb: Open}\n"
        "mapping:\n  READY_TO_SEND: null\n  IN_TRANSIT: null\n  DELIVERED: null\n"
        "  CANCEL: null  # live mapping pointed at status '9', which was deleted\n"
    )
    out = capsys.readouterr()
    assert "Warning: integrations/three.yaml: live mapping CANCEL points at status '9'" in out.err
    assert main(["validate", str(path)]) == 0


def test_adopt_after_import_round_trips(
    api: BackgroundServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {8: integration({"2": {"en-gb": "Paid"}, "10": {"en-gb": "Sent"}}, {})})
    assert reconciler(api, "import", "8") == 0
    imported = Path("integrations/8.yaml").read_text()
    seed(api, {8: integration({"2": {"en-gb": "Paid!"}, "3": {"en-gb": "New"}}, {})})

    assert reconciler(api, "adopt") == 0

    assert Path("integrations/8.yaml").read_text() == imported.replace(
        '  "10":\n    en-gb: Sent\n', '  "3":\n    en-gb: New\n'
    ).replace("en-gb: Paid\n", "en-gb: Paid!\n")
    assert reconciler(api, "plan", "--detailed-exitcode") == 0


def test_comments_follow_the_entry_below_them_and_line_endings_stay(
    api: BackgroundServer,
) -> None:
    seed(api, {4: integration({"2": {"en-gb": "Two"}, "5": {"en-gb": "Five"}}, {})})
    path = write(
        "four.yaml",
        "integration_id: 4\r\n"
        "statuses:\r\n"
        "  # about 1\r\n"
        "  '1':\r\n"
        "    en-gb: One\r\n"
        "  # Shipping statuses\r\n"
        "\r\n"
        "  # about 2\r\n"
        "  '2':\r\n"
        "    en-gb: Two\r\n"
        "  # about 3\r\n"
        "  '3':\r\n"
        "    en-gb: Three\r\n"
        "\r\n"
        "# the end\r\n",
    )

    assert reconciler(api, "adopt", str(path)) == 0

    assert path.read_bytes() == (
        b"integration_id: 4\r\n"
        b"statuses:\r\n"
        b"  # Shipping statuses\r\n"
        b"\r\n"
        b"  # about 2\r\n"
        b"  '2':\r\n"
        b"    en-gb: Two\r\n"
        b'  "5":\r\n'
        b"    en-gb: Five\r\n"
        b"\r\n"
        b"# the end\r\n"
    )
