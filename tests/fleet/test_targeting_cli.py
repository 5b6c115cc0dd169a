"""--only / --exclude on plan, drift and apply; a targeted saved plan applies only its subset."""

from __future__ import annotations

import json

import pytest

from tests.fleet.support import Fleet, ids_seen


def make_fleet(fleet: Fleet) -> None:
    fleet.shop("nl", 1, paid="Paid now", labels="tier-1")
    fleet.shop("nl", 2, paid="Paid now")
    fleet.shop("be", 11, paid="Betaald", labels="tier-1")
    fleet.seed(fleet.nl, [1, 2])
    fleet.seed(fleet.be, [11])


def test_plan_only_an_account_reads_only_that_account(fleet: Fleet) -> None:
    make_fleet(fleet)

    code, out, _ = fleet.run("plan", "--only", "agency-be", "integrations/")

    assert code == 0
    assert ids_seen(fleet.be) == {11}
    assert fleet.nl.simulator.log.entries() == []
    assert "Targeted: --only account:agency-be." in out
    assert (
        "Left out 2 integrations (not selected by --only account:agency-be): "
        "1 (integrations/nl/1.yaml), 2 (integrations/nl/2.yaml)." in out
    )


def test_drift_exclude_a_label(fleet: Fleet) -> None:
    make_fleet(fleet)

    code, out, _ = fleet.run("drift", "--exclude", "label:tier-1", "integrations/")

    assert code == 2
    assert ids_seen(fleet.nl) == {2}
    assert fleet.be.simulator.log.entries() == []
    assert "Left out 2 integrations (excluded by --exclude label:tier-1)" in out


def test_targeted_saved_plan_applies_only_its_subset(fleet: Fleet) -> None:
    make_fleet(fleet)
    code, _, _ = fleet.run(
        "plan",
        "--only",
        "integrations/nl/**",
        "--exclude",
        "1",
        "--out",
        "plan.json",
        "integrations/",
    )
    assert code == 0
    saved = json.loads((fleet.root / "plan.json").read_text())
    assert [i["integration_id"] for i in saved["integrations"]] == [2]
    assert {i["integration_id"] for i in saved["selection"]["left_out"]} == {1, 11}
    for server in (fleet.nl, fleet.be):
        server.simulator.log.clear()

    code, out, err = fleet.run("apply", "--auto-approve", "--plan", "plan.json")

    assert code == 0, err
    assert [e.integration_id for e in fleet.nl.simulator.log.writes()] == [2]
    assert fleet.be.simulator.log.entries() == []
    assert "Left out 1 integration (excluded by --exclude id:1): 1 (integrations/nl/1.yaml)." in out


def test_apply_with_only_writes_only_the_selection(fleet: Fleet) -> None:
    make_fleet(fleet)

    code, _, err = fleet.run("apply", "--auto-approve", "--only", "11", "integrations/")

    assert code == 0, err
    assert fleet.nl.simulator.log.entries() == []
    assert [e.integration_id for e in fleet.be.simulator.log.writes()] == [11]


def test_a_mistyped_selector_is_one_error_and_reads_nothing(fleet: Fleet) -> None:
    make_fleet(fleet)

    code, out, err = fleet.run("plan", "--only", "agency-fr", "integrations/")

    assert code == 1
    assert out == ""
    assert err.startswith("Error: --only 'agency-fr' is not an integration id")
    assert len(err.splitlines()) == 1
    assert fleet.nl.simulator.log.entries() == fleet.be.simulator.log.entries() == []


def test_an_unknown_integration_id_is_refused(fleet: Fleet) -> None:
    make_fleet(fleet)
    code, _, err = fleet.run("plan", "--exclude", "99", "integrations/")
    assert code == 1
    assert "Error: --exclude 99: no file describes integration 99" in err


def test_adopt_only_rewrites_the_selected_files(fleet: Fleet) -> None:
    make_fleet(fleet)
    before = (fleet.root / "integrations/nl/2.yaml").read_text()

    code, _, err = fleet.run("adopt", "--only", "1", "integrations/")

    assert code == 0, err
    adopted = (fleet.root / "integrations/nl/1.yaml").read_text()
    assert "{en-gb: Paid}" in adopted
    assert "Paid now" not in adopted
    assert (fleet.root / "integrations/nl/2.yaml").read_text() == before
    assert "Left out 2 integrations" in err
    assert ids_seen(fleet.nl) == {1}


def test_import_reads_each_id_with_the_account_of_its_new_file(fleet: Fleet) -> None:
    fleet.seed(fleet.nl, [3])
    fleet.seed(fleet.be, [13])

    code_nl, _, err_nl = fleet.run("import", "3", "--dir", "integrations/nl")
    code_be, _, err_be = fleet.run(
        "import", "13", "14", "--exclude", "14", "--dir", "integrations/be"
    )

    assert (code_nl, code_be) == (0, 0), err_nl + err_be
    assert ids_seen(fleet.nl) == {3}
    assert ids_seen(fleet.be) == {13}
    assert (fleet.root / "integrations/be/13.yaml").exists()
    assert not (fleet.root / "integrations/be/14.yaml").exists()
    assert "Left out 1 integration (excluded by --exclude id:14)" in err_be


@pytest.mark.parametrize(
    ("command", "selector", "expected"),
    [
        (("plan",), "", "--only '': an empty selector selects nothing"),
        (("apply", "--auto-approve"), " ", "--only ' ': an empty selector selects nothing"),
        (("drift",), "account:agency-nk", "did you mean account:agency-nl?"),
        (("plan", "--detailed-exitcode"), "label:teir-1", "did you mean label:tier-1?"),
        (("apply", "--auto-approve"), "label:teir-1", "there is no label 'teir-1'"),
        (("adopt",), "account:agency-fr", "there is no account 'agency-fr'"),
        (("plan", "--changed-since", "HEAD"), "", "an empty selector selects nothing"),
    ],
)
def test_a_selector_that_selects_nothing_is_an_error_before_any_request(
    fleet: Fleet, command: tuple[str, ...], selector: str, expected: str
) -> None:
    make_fleet(fleet)

    code, out, err = fleet.run(*command, "--only", selector, "integrations/")

    assert code == 1
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "Plan:" not in out
    assert fleet.nl.simulator.log.entries() == []
    assert fleet.be.simulator.log.entries() == []


def test_import_refuses_an_empty_exclude(fleet: Fleet) -> None:
    code, _, err = fleet.run("import", "5", "--exclude", "", "--dir", "integrations/nl")

    assert code == 1
    assert "--exclude '': an empty selector selects nothing" in err
    assert not (fleet.root / "integrations" / "nl" / "5.yaml").exists()


@pytest.mark.parametrize(
    ("command", "selector", "shown"),
    [
        ("plan", "integrations/nl/1.yml", "did you mean integrations/nl/1.yaml?"),
        ("apply", "integrations/nl/1.yml", "did you mean integrations/nl/1.yaml?"),
        ("drift", "/**", "matches none of the 3 files read"),
        ("adopt", "../**", "matches none of the 3 files read"),
        ("plan", "integrations/[", "an unclosed [ is read as a plain character"),
        ("drift", "integrations/fr/**", "matches none of the 3 files read"),
    ],
)
def test_a_file_selector_that_matches_no_file_is_one_error_and_reads_nothing(
    fleet: Fleet, command: str, selector: str, shown: str
) -> None:
    make_fleet(fleet)
    before = {p: p.read_text() for p in (fleet.root / "integrations").rglob("*.yaml")}
    extra = ["--auto-approve"] if command == "apply" else []

    code, out, err = fleet.run(command, *extra, "--only", selector, "integrations/")

    assert code == 1, out + err
    assert out == ""
    assert err.startswith(f"Error: --only file:{selector.rstrip('/')}")
    assert shown in err
    assert len(err.splitlines()) == 1
    assert fleet.nl.simulator.log.entries() == fleet.be.simulator.log.entries() == []
    assert {p: p.read_text() for p in (fleet.root / "integrations").rglob("*.yaml")} == before


def test_a_file_outside_the_paths_given_is_refused_in_exclude_too(fleet: Fleet) -> None:
    make_fleet(fleet)

    code, _, err = fleet.run(
        "plan", "--exclude", "integrations/be/11.yaml", "integrations/nl/", "--detailed-exitcode"
    )

    assert code == 1
    assert "Error: --exclude file:integrations/be/11.yaml: matches none of the 2 files read" in err
    assert "select only files under the PATHS given" in err


def test_import_refuses_a_file_selector_matching_no_file_it_would_write(fleet: Fleet) -> None:
    fleet.seed(fleet.nl, [3])

    code, _, err = fleet.run(
        "import", "3", "--only", "integrations/be/**", "--dir", "integrations/nl"
    )

    assert code == 1
    assert "Error: --only file:integrations/be/**: matches none of the 1 files to write" in err
    assert not (fleet.root / "integrations/nl/3.yaml").exists()
    assert fleet.nl.simulator.log.entries() == []
