"""What a project file governs, and nothing more or less: a file belongs to one account, a tree
has one project file, includes stay inside the project, bases given by name are bases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import run

FLEET = Path(__file__).resolve().parents[2] / "examples" / "fleet"


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of examples/fleet as the root of its own repository, as the working directory."""
    root = tmp_path / "repo"
    shutil.copytree(FLEET, root)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


def test_a_file_two_accounts_claim_is_an_error_naming_both(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = fleet / "integrations/nl/utrecht-tea.yaml"
    shop.write_text(shop.read_text().replace("labels: [tier-1]", "labels: [tier-1, be]"))
    code, _, err = run(capsys, "validate", "integrations/")
    assert code == 1
    assert err.splitlines()[0] == (
        "integrations/nl/utrecht-tea.yaml:5:1: this file is claimed by 2 accounts: agency-nl "
        "(its paths 'integrations/nl/**') and agency-be (its label 'be'); a file belongs to "
        "exactly one account: remove the label from the file (or its base), or the account's "
        "label in reconciler.yaml"
    )
    # render never shows it under either account
    code, out, _ = run(capsys, "render", "integrations/nl/utrecht-tea.yaml")
    assert code == 1
    assert "# account:" not in out


def test_overlapping_account_paths_are_an_error_at_each_file(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = fleet / "reconciler.yaml"
    project.write_text(project.read_text().replace('"integrations/be/**"', '"integrations/"'))
    code, _, err = run(capsys, "validate", "integrations/")
    assert code == 1
    assert (
        "integrations/nl/amsterdam-bikes.yaml:1:1: this file is claimed by 2 accounts: agency-nl "
        "(its paths 'integrations/nl/**') and agency-be (its paths 'integrations/'); a file "
        "belongs to exactly one account: narrow the accounts' paths in reconciler.yaml"
    ) in err.splitlines()
    assert err.count("claimed by 2 accounts") == 4  # the four files under integrations/nl


def test_a_nested_project_file_is_an_error_whichever_path_is_given(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = fleet / "integrations/nl/reconciler.yaml"
    nested.write_text("policies:\n  - {kind: max-statuses, max: 0}\n")
    expected = (
        "integrations/nl/reconciler.yaml:1:1: a project file inside the tree of reconciler.yaml, "
        "which governs every file below its directory; one tree has one project file: move its "
        "accounts, defaults and policies into reconciler.yaml and delete this one (or move "
        "integrations/nl out of that tree)"
    )
    for path in ("integrations/", "integrations/nl/", "integrations/nl/utrecht-tea.yaml", "."):
        code, _, err = run(capsys, "validate", path)
        assert code == 1, path
        assert err.splitlines()[0] == expected, path


def test_a_project_file_below_a_path_without_one_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FLEET, tmp_path / "fleet")
    code, _, err = run(capsys, "validate", ".")
    assert code == 1
    assert (
        "fleet/reconciler.yaml:1:1: a project file below ., which a run over . would not use (a "
        "run uses the project file found upward from its paths); run the command on fleet "
        "instead, once per project"
    ) in err.splitlines()


def test_an_include_outside_the_project_is_refused_and_not_read(
    fleet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("policies:\n  - {kind: max-statuses, max: 0}\n")
    (fleet / "policies").mkdir()
    (fleet / "policies/link.yaml").symlink_to(outside)
    project = fleet / "reconciler.yaml"
    project.write_text(
        project.read_text()
        + f"policies:\n  - include: {outside}\n  - include: ../outside.yaml\n"
        + "  - include: policies/link.yaml\n  - include: /etc/passwd\n"
    )
    code, _, err = run(capsys, "validate", "integrations/")
    assert code == 1
    lines = err.splitlines()
    start = len(project.read_text().splitlines()) - 3
    where = fleet.resolve()
    assert lines[:4] == [
        f"reconciler.yaml:{start + i}:5: `include: {name}` is outside the project: it resolves "
        f"to {target}, not below the project file's directory {where}; copy the file into the "
        "project"
        for i, (name, target) in enumerate(
            [
                (outside, outside.resolve()),
                ("../outside.yaml", outside.resolve()),
                ("policies/link.yaml", outside.resolve()),
                ("/etc/passwd", Path("/etc/passwd").resolve()),
            ]
        )
    ]
    assert "more than 0" not in err  # the rule outside was never read


def test_an_empty_project_file_gets_a_project_file_message(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fleet / "reconciler.yaml").write_text("# nothing yet\n")
    code, _, err = run(capsys, "validate", "integrations/")
    assert code == 1
    assert err.splitlines()[0] == (
        "reconciler.yaml:1:1: the project file is empty; write its settings (`accounts`, "
        "`defaults`, `policies`: see `reconciler schema project`), or `{}` for none"
    )


def test_a_base_given_with_a_file_extending_it_is_validated_as_a_base(
    fleet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As a pre-commit hook passes the changed files, a base among them.
    code, out, err = run(
        capsys, "validate", "integrations/nl/utrecht-tea.yaml", "bases/prestashop-nl.yaml"
    )
    assert code == 0, err
    assert out.strip() == "1 file valid (extending 1 base)."
    code, _, err = run(capsys, "validate", "bases/prestashop-nl.yaml")
    assert code == 1
    assert err.splitlines()[0] == (
        "bases/prestashop-nl.yaml:1:1: missing integration_id, and no file given with it "
        "extends it as a base; if it is a base, validate it with a file that extends it (or the "
        "directory holding them, `reconciler validate integrations/`); if it describes an "
        "integration, add `integration_id: <id>`"
    )
    # A base given by name is checked as a base: an integration_id in it is refused as such.
    base = fleet / "bases/prestashop-nl.yaml"
    base.write_text("integration_id: 7\n" + base.read_text())
    code, _, err = run(
        capsys, "validate", "integrations/nl/utrecht-tea.yaml", "bases/prestashop-nl.yaml"
    )
    assert code == 1
    assert err.splitlines()[0].startswith(
        "bases/prestashop-nl.yaml:1:1: a base cannot have an integration_id"
    )
