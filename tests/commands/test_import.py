"""`reconciler import` against the real HTTP simulator: the files it writes, exactly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.commands import import_
from tests.commands.simstate import integration, seed
from tests.support.simulator import BackgroundServer

HEADER = """\
# Imported from Sendcloud on 2025-01-31 by reconciler 0.1.0.
#
# statuses: the shop's order statuses by external id (natural order: "2" before "10"),
#   each with its name per language (in language order). Ids are quoted so they stay
#   text. A status removed here is deleted in Sendcloud by `reconciler apply`.
# mapping: the shop status each Sendcloud category points at (null: unmapped), in the
#   order READY_TO_SEND, IN_TRANSIT, DELIVERED, CANCEL.
# Leave a section out to stop managing it. `reconciler plan` shows what apply would do.
"""


@pytest.fixture
def api(
    live_api: BackgroundServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> BackgroundServer:
    monkeypatch.setattr(import_, "today", lambda: date(2025, 1, 31))
    (tmp_path / ".git").mkdir()  # the schema search stops here, whatever lies above tmp_path
    return live_api


def reconciler(api: BackgroundServer, *args: str) -> int:
    return main(["--api-url", api.base_url, *args])


SHOP = integration(
    {
        "10": {"nl-nl": "Verzonden", "en-gb": "Shipped"},
        "Send-4": {"en-gb": "Sent: by courier"},
        "2": {"fr-fr": "Paiement accepté", "en-gb": "Payment accepted", "de-de": "123"},
    },
    {"READY_TO_SEND": "2", "IN_TRANSIT": "10", "DELIVERED": "Send-4"},
)

SHOP_BODY = """\
integration_id: 123
statuses:
  "2":
    de-de: '123'
    en-gb: Payment accepted
    fr-fr: Paiement accepté
  "10":
    en-gb: Shipped
    nl-nl: Verzonden
  "Send-4":
    en-gb: 'Sent: by courier'
mapping:
  READY_TO_SEND: "2"
  IN_TRANSIT: "10"
  DELIVERED: "Send-4"
  CANCEL: null
"""


def test_writes_the_live_state_sorted_with_modeline_and_header(
    api: BackgroundServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {123: SHOP})
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "integration.schema.json").write_text("{}")

    assert reconciler(api, "import", "123", "--dir", "config/integrations") == 0

    written = (tmp_path / "config" / "integrations" / "123.yaml").read_text()
    modeline = "# yaml-language-server: $schema=../../schemas/integration.schema.json\n"
    assert written == modeline + HEADER + SHOP_BODY
    out = capsys.readouterr()
    assert out.out == (
        "Wrote config/integrations/123.yaml: integration 123, 3 statuses, "
        "3 of 4 categories mapped.\n"
    )
    assert out.err == ""
    assert sorted(p.name for p in (tmp_path / "config" / "integrations").iterdir()) == [
        "123.yaml"
    ]  # no temporary file left behind


def test_an_imported_file_validates_and_plans_no_changes(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {123: SHOP, 456: integration({}, {})})
    assert reconciler(api, "import", "123", "456") == 0
    assert (
        Path("integrations/456.yaml")
        .read_text()
        .endswith(
            "integration_id: 456\nstatuses: {}\nmapping:\n  READY_TO_SEND: null\n"
            "  IN_TRANSIT: null\n  DELIVERED: null\n  CANCEL: null\n"
        )
    )
    capsys.readouterr()

    assert main(["validate", "integrations"]) == 0
    assert reconciler(api, "plan", "integrations", "--detailed-exitcode") == 0
    assert "no changes" in capsys.readouterr().out


def test_without_a_schema_file_the_first_lines_say_how_to_get_one(api: BackgroundServer) -> None:
    seed(api, {123: SHOP})
    assert reconciler(api, "import", "123") == 0
    lines = Path("integrations/123.yaml").read_text().splitlines()
    assert lines[:2] == [
        "# To check this file in an editor, save `reconciler schema` as "
        "schemas/integration.schema.json and",
        "# start the file with `# yaml-language-server: $schema=<path to it>`.",
    ]


def test_refuses_to_overwrite_without_the_flag_but_imports_the_others(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {123: SHOP, 456: integration({"1": {"en-gb": "New"}}, {})})
    Path("integrations").mkdir()
    Path("integrations/123.yaml").write_text("integration_id: 123  # mine\n")

    assert reconciler(api, "import", "123", "456") == 1

    assert Path("integrations/123.yaml").read_text() == "integration_id: 123  # mine\n"
    assert Path("integrations/456.yaml").exists()
    out = capsys.readouterr()
    assert out.err == (
        "Error: integrations/123.yaml already exists; pass --overwrite to replace it, or run "
        "`reconciler adopt integrations/123.yaml` to update it keeping its comments\n"
    )
    assert out.out.startswith("Wrote integrations/456.yaml:")

    assert reconciler(api, "import", "123", "--overwrite") == 0
    assert Path("integrations/123.yaml").read_text().endswith(SHOP_BODY)


def test_refuses_an_integration_another_file_already_describes(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {123: SHOP})
    Path("integrations").mkdir()
    Path("integrations/shop.yaml").write_text("integration_id: 123\n")

    assert reconciler(api, "import", "123", "--overwrite") == 1

    assert not Path("integrations/123.yaml").exists()
    assert capsys.readouterr().err == (
        "Error: integration 123 is already in integrations/shop.yaml; run "
        "`reconciler adopt integrations/shop.yaml` to update that file instead\n"
    )


def test_a_failed_read_is_reported_and_the_others_are_written(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {123: SHOP})
    api.simulator.configure(strict=True)  # unknown integrations answer 404

    assert reconciler(api, "import", "999", "123") == 1

    assert sorted(p.name for p in Path("integrations").iterdir()) == ["123.yaml"]
    out = capsys.readouterr()
    assert out.err.startswith("Error: integration 999: Integration 999 does not exist")
    assert "HTTP 404" in out.err
    assert out.out.startswith("Wrote integrations/123.yaml:")


def test_a_live_mapping_onto_a_deleted_status_is_written_as_null_with_a_comment(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(
        api,
        {
            123: integration(
                {"2": {"en-gb": "Paid"}},
                {"READY_TO_SEND": "2", "CANCEL": "7"},
                deleted={"7": {"en-gb": "Cancelled"}},
            )
        },
    )

    assert reconciler(api, "import", "123") == 0

    assert (
        Path("integrations/123.yaml")
        .read_text()
        .endswith(
            "mapping:\n"
            '  READY_TO_SEND: "2"\n'
            "  IN_TRANSIT: null\n"
            "  DELIVERED: null\n"
            "  CANCEL: null  # live mapping pointed at status '7', which was deleted\n"
        )
    )
    err = capsys.readouterr().err
    assert err == (
        "Warning: integrations/123.yaml: live mapping CANCEL points at status '7', which no "
        "longer exists; written as null (unmapped): map it to a status here or in Sendcloud\n"
    )
    assert main(["validate", "integrations"]) == 0


def test_works_against_the_sandbox_state_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY", raising=False)
    Path("state.json").write_text(json.dumps({"integrations": {"5": SHOP}}), encoding="utf-8")
    sandbox = ["--sandbox", "--sandbox-state", "state.json"]

    assert main([*sandbox, "import", "5", "--dir", "out"]) == 0
    assert Path("out/5.yaml").read_text().endswith(SHOP_BODY.replace("123", "5", 1))
    assert main([*sandbox, "plan", "out", "--detailed-exitcode", "--format", "json"]) == 0


def test_an_integration_holding_nothing_is_written_with_a_warning_about_the_id(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {12345: integration({}, {})})
    assert reconciler(api, "import", "12345") == 0
    captured = capsys.readouterr()
    assert "Wrote integrations/12345.yaml: integration 12345, 0 statuses" in captured.out
    assert captured.err.startswith(
        "Warning: integrations/12345.yaml: integration 12345 has no statuses and no mapping in "
        "Sendcloud: is the id right? It is the number Sendcloud shows in the panel under "
        "Settings > Integrations"
    )
    assert "delete it if the id was wrong" in captured.err
    assert main(["validate", "integrations"]) == 0


def test_an_integration_holding_something_gets_no_warning(
    api: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(api, {7: integration({}, {"CANCEL": "9"}), 8: integration({"1": {"en-gb": "A"}}, {})})
    assert reconciler(api, "import", "7", "8") == 0
    assert "is the id right" not in capsys.readouterr().err


def test_an_empty_sandbox_integration_says_the_sandbox_starts_ids_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--sandbox", "import", "777"]) == 0
    err = capsys.readouterr().err
    assert "integration 777 has no statuses and no mapping in the sandbox: is the id right?" in err
    assert "The sandbox starts every id it has not seen empty" in err
