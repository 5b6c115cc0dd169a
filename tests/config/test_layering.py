"""Bases: merge rules, provenance of every value, and located errors for what cannot merge."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.config.loader import load_fleet, load_paths
from reconciler.errors import ConfigError
from reconciler.project import Origin

BASE = """\
labels: [prestashop]
statuses:
  "2":
    en-gb: Payment accepted
    fr-fr: Paiement accepté
  "3":
    en-gb: Processing
  "4":
    en-gb: Shipped
mapping:
  READY_TO_SEND: "3"
  IN_TRANSIT: "4"
  DELIVERED: null
  CANCEL: null
"""

NL = """\
extends: prestashop.yaml
labels: [nl]
unmanaged: ["module-*"]
safety: {max_delete_share: 0.5}
statuses:
  "2":
    nl-nl: Betaling aanvaard
  "6":
    en-gb: Cancelled
mapping:
  CANCEL: "6"
"""


@pytest.fixture(autouse=True)
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", "."], check=True)
    write("bases/prestashop.yaml", BASE)
    write("bases/nl.yaml", NL)
    return tmp_path


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(*paths: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_paths(list(paths) or ["shops"])
    return [str(p) for p in caught.value.problems]


def test_statuses_merge_by_id_then_language_and_mapping_by_category() -> None:
    write("shops/a.yaml", 'integration_id: 1\nextends: ../bases/nl.yaml\nstatuses:\n'
          '  "2":\n    en-gb: Paid\n  "3": null\n  "9": {en-gb: Local}\n'
          'mapping:\n  READY_TO_SEND: "9"\n')  # fmt: skip

    [shop] = load_paths(["shops"])

    assert shop.state.statuses == {
        "2": {"en-gb": "Paid", "fr-fr": "Paiement accepté", "nl-nl": "Betaling aanvaard"},
        "4": {"en-gb": "Shipped"},
        "6": {"en-gb": "Cancelled"},
        "9": {"en-gb": "Local"},
    }
    assert shop.state.mapping is not None
    assert shop.state.mapping.as_dict() == {
        "READY_TO_SEND": "9", "IN_TRANSIT": "4", "DELIVERED": None, "CANCEL": "6"
    }  # fmt: skip
    assert shop.extends == ("bases/prestashop.yaml", "bases/nl.yaml")
    assert shop.labels == ("prestashop", "nl")
    assert shop.unmanaged == ("module-*",)
    assert shop.safety.max_delete_share == 0.5


def test_every_value_knows_the_file_and_line_that_set_it() -> None:
    write("shops/a.yaml", 'integration_id: 1\nextends: ../bases/nl.yaml\nstatuses:\n'
          '  "2":\n    en-gb: Paid\n  "3": null\nmapping: {READY_TO_SEND: null}\n')  # fmt: skip

    [shop] = load_paths(["shops"])

    assert shop.origin("statuses", "2", "en-gb") == Origin("shops/a.yaml", 5, 5)
    assert shop.origin("statuses", "2", "fr-fr") == Origin("bases/prestashop.yaml", 5, 5)
    assert shop.origin("statuses", "2", "nl-nl") == Origin("bases/nl.yaml", 7, 5)
    assert shop.origin("mapping", "CANCEL") == Origin("bases/nl.yaml", 11, 3)
    assert shop.provenance("mapping", "IN_TRANSIT") == "bases/prestashop.yaml:12"
    assert shop.provenance("statuses", "2", "en-gb") is None
    assert shop.removed == {"3": Origin("shops/a.yaml", 6, 3)}


def test_a_list_of_bases_applies_in_order_and_a_shared_base_once() -> None:
    write("bases/de.yaml", 'extends: prestashop.yaml\nstatuses:\n  "4": {en-gb: Dispatched}\n')
    write("shops/a.yaml", "integration_id: 1\nextends: [../bases/de.yaml, ../bases/nl.yaml]\n")

    [shop] = load_paths(["shops"])

    assert shop.extends == ("bases/prestashop.yaml", "bases/de.yaml", "bases/nl.yaml")
    assert shop.state.statuses is not None
    assert shop.state.statuses["4"] == {"en-gb": "Dispatched"}
    assert shop.origin("statuses", "4", "en-gb") == Origin("bases/de.yaml", 3, 9)


def test_a_directory_holding_bases_and_shops_loads_the_shops_only() -> None:
    write("shops/a.yaml", "integration_id: 1\nextends: ../bases/nl.yaml\n")

    fleet = load_fleet(["."])

    assert [f.path for f in fleet.files] == ["shops/a.yaml"]
    assert fleet.bases == ("bases/nl.yaml", "bases/prestashop.yaml")


def test_a_base_nobody_extends_is_a_file_missing_its_integration_id() -> None:
    write("shops/a.yaml", "integration_id: 1\nextends: ../bases/prestashop.yaml\n")

    [message] = problems(".")

    assert message.startswith("bases/nl.yaml:1:1: missing integration_id;")


def test_cycles_are_located_at_the_extends_that_closes_them() -> None:
    write("bases/x.yaml", "extends: y.yaml\n")
    write("bases/y.yaml", "statuses: {}\nextends:\n  - x.yaml\n")
    write("shops/a.yaml", "integration_id: 1\nextends: ../bases/x.yaml\n")

    assert problems() == [
        "bases/y.yaml:3:5: extends makes a cycle (bases/x.yaml → bases/y.yaml → bases/x.yaml); "
        "a base cannot extend a file that extends it: remove one of these extends"
    ]


def test_a_missing_base_is_located_at_its_entry() -> None:
    write(
        "shops/a.yaml", "integration_id: 1\nextends:\n  - ../bases/nl.yaml\n  - ../bases/fr.yaml\n"
    )

    assert problems() == [
        "shops/a.yaml:4:5: base '../bases/fr.yaml' does not exist (looked for bases/fr.yaml); "
        "check the path, relative to this file's directory"
    ]


def test_a_base_with_an_integration_id_is_refused_where_it_says_so() -> None:
    write("bases/one.yaml", "# shared\nintegration_id: 9\nstatuses: {}\n")
    write("shops/a.yaml", "integration_id: 1\nextends: ../bases/one.yaml\n")

    [message] = problems()

    assert message.startswith("bases/one.yaml:2:1: a base cannot have an integration_id")


def test_errors_in_a_base_are_reported_once_in_the_base() -> None:
    write("bases/bad.yaml", 'statuses:\n  "2": {en-gb: Paid, pt-br: Pago}\n')
    for i in (1, 2, 3):
        write(f"shops/s{i}.yaml", f"integration_id: {i}\nextends: ../bases/bad.yaml\n")

    [message] = problems()

    assert message.startswith("bases/bad.yaml:2:22: unknown language 'pt-br' in status '2'")


def test_null_must_remove_something_a_base_defines() -> None:
    write("shops/a.yaml", 'integration_id: 1\nextends: ../bases/nl.yaml\nstatuses:\n'
          '  "7": null\n  "4": {fr-fr: null}\n')  # fmt: skip

    assert problems() == [
        "shops/a.yaml:4:3: status '7' is removed here (null), but no base defines it; "
        "remove this line or check the id",
        "shops/a.yaml:5:9: the fr-fr text of status '4' is removed here (null), but no base "
        "sets it; remove this line",
    ]


def test_removing_a_mapped_status_names_the_base_mapping_it() -> None:
    write("shops/a.yaml", 'integration_id: 1\nextends: ../bases/nl.yaml\nstatuses:\n  "6": null\n')

    assert problems() == [
        "shops/a.yaml:2:1: mapping CANCEL (from bases/nl.yaml:11) points at status '6', which is "
        "removed at shops/a.yaml:4; map CANCEL to another status (or null) in this file, or "
        "keep the status"
    ]


def test_a_partial_mapping_must_be_completed_by_the_bases() -> None:
    write("bases/half.yaml", "mapping:\n  READY_TO_SEND: null\n")
    write("shops/a.yaml", "integration_id: 1\nextends: ../bases/half.yaml\nmapping:\n"
          "  CANCEL: null\n")  # fmt: skip

    [message] = problems()

    assert message == (
        "shops/a.yaml:3:1: the mapping must name all four categories; IN_TRANSIT, DELIVERED is "
        "in neither this file nor its bases (add `IN_TRANSIT: null` to leave it unmapped)"
    )


def test_a_status_both_managed_and_unmanaged_is_refused() -> None:
    write("shops/a.yaml", 'integration_id: 1\nextends: ../bases/nl.yaml\nstatuses:\n'
          '  "module-x": {en-gb: Mine}\n')  # fmt: skip

    [message] = problems()

    assert message.startswith("shops/a.yaml:4:3: status 'module-x' is also unmanaged")


def test_a_flat_file_keeps_the_strict_format() -> None:
    write("shops/a.yaml", 'integration_id: 1\nstatuses:\n  "2": null\n'
          'mapping:\n  CANCEL: null\n')  # fmt: skip

    found = problems()

    assert "shops/a.yaml:3:8: status '2' must be a mapping of language to text (for example " \
        "`en-gb: Payment accepted`), not null (nothing); null removes a status only in a file " \
        "that extends a base" in found  # fmt: skip
    assert any("mapping must name all four categories" in m for m in found)


def test_validate_reports_errors_with_their_origin_and_passes_a_good_fleet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("shops/a.yaml", "integration_id: 1\nextends: ../bases/nl.yaml\n")
    assert main(["validate", "shops"]) == 0
    assert capsys.readouterr().out == "1 file valid (extending 2 bases).\n"

    write("shops/b.yaml", 'integration_id: 2\nextends: ../bases/nl.yaml\nstatuses:\n  "6": null\n')
    assert main(["validate", "shops"]) == 1
    err = capsys.readouterr().err
    assert "shops/b.yaml:2:1: mapping CANCEL (from bases/nl.yaml:11) points at status '6'" in err


def test_layering_keys_are_checked_with_messages_that_say_what_to_write() -> None:
    text = "integration_id: 1\nextends: 5\nlabels: [tier 1, ok]\nunmanaged: [true]\n"
    write("shops/a.yaml", text + "safety: {max_delete_share: 30, max_integration_share: 0.5}\n")

    assert problems() == [
        "shops/a.yaml:2:1: extends must be the path of a base file (text) or a list of paths, "
        "not the number 5; quote it if it is a path",
        "shops/a.yaml:3:10: label 'tier 1' must start with a letter or digit and hold only "
        "letters, digits, '.', '_' and '-'",
        "shops/a.yaml:4:13: unmanaged pattern true must be text (an id or a glob such as "
        '"module-*"); quote it',
        "shops/a.yaml:5:28: safety.max_delete_share must be a share between 0 and 1 (0.3 is "
        "30 %), not 30",
        "shops/a.yaml:5:32: unknown key 'max_integration_share' in safety; a file's safety sets "
        "max_delete_share, min_live_statuses (max_integration_share belongs in the project file)",
    ]
