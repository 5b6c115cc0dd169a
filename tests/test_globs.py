"""One glob meaning for account ``paths``, policy ``paths`` and ``--only`` / ``--exclude`` file
selectors (`reconciler.globs`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.policy import applies_to
from reconciler.project import Account, Project, ProjectFile
from reconciler.targeting import Target, parse_selectors
from tests.test_policy import RULE

CASES = [
    ("integrations/**/de-*.yaml", "integrations/de-y.yaml", True),  # ** is zero directories too
    ("integrations/**/de-*.yaml", "integrations/sub/de-x.yaml", True),
    ("./integrations/de-*.yaml", "integrations/de-y.yaml", True),
    ("integrations/sub/", "integrations/sub/de-x.yaml", True),  # a directory: all below it
    ("integrations/sub", "integrations/sub/deeper/de-x.yaml", True),
    ("integrations/sub/", "integrations/de-y.yaml", False),
    ("integrations/*.yaml", "integrations/sub/de-x.yaml", False),  # * stays in a directory
    ("integrations//./sub/*.yaml", "integrations/sub/de-x.yaml", True),
    ("integrations/[!a]*.yaml", "integrations/x/y.yaml", False),  # [!..] never matches "/"
    ("integrations/**", "integrations/sub/de-x.yaml", True),
]


def by_account(pattern: str, path: str) -> bool:
    account = Account(paths=[pattern], public_key_env="K", secret_key_env="S")
    model = ProjectFile(accounts={"a": account}, unclaimed="command-line")
    project = Project("reconciler.yaml", ".", model)
    return project.account_for(path) == "a"


def by_policy(pattern: str, path: str) -> bool:
    from reconciler.policy import Subject

    rule = RULE.validate_python({"kind": "max-statuses", "max": 1, "paths": [pattern]})
    return applies_to(rule, Subject(5, path))


def by_only(pattern: str, path: str) -> bool:
    (selector,) = parse_selectors("--only", [pattern], accounts=(), labels=())
    return selector.matches(Target(5, path))


@pytest.mark.parametrize(("pattern", "path", "matches"), CASES)
@pytest.mark.parametrize("user", [by_account, by_policy, by_only])
def test_every_glob_user_reads_a_glob_alike(
    user: object, pattern: str, path: str, matches: bool
) -> None:
    assert callable(user)
    assert user(pattern, path) is matches


def test_policy_and_account_globs_that_can_never_match_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations/a.yaml").write_text("integration_id: 1\n")
    (tmp_path / "reconciler.yaml").write_text(
        "accounts:\n"
        "  nl:\n"
        "    paths: ['/integrations/**']\n"
        "    public_key_env: K\n"
        "    secret_key_env: S\n"
    )
    assert main(["validate", "integrations"]) == 1
    err = capsys.readouterr().err
    assert "reconciler.yaml:3:" in err
    assert (
        "'/integrations/**' is absolute; write it relative to the project file's directory" in err
    )
    (tmp_path / "reconciler.yaml").write_text(
        "policies:\n  - kind: max-statuses\n    max: 1\n    paths: ['../other/*.yaml']\n"
    )
    assert main(["validate", "integrations"]) == 1
    err = capsys.readouterr().err
    assert "reconciler.yaml:4:" in err
    assert "climbs out of the project file's directory" in err
    assert "Traceback" not in err


def test_a_policy_glob_selects_what_the_same_only_glob_selects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fresh user's case: `**/` at zero depth, `./`, and a directory with a trailing `/`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "integrations/sub").mkdir(parents=True)
    (tmp_path / "integrations/de-y.yaml").write_text(
        'integration_id: 1\nstatuses:\n  "1": {en-gb: Paid}\n'
    )
    (tmp_path / "integrations/sub/de-x.yaml").write_text(
        'integration_id: 2\nstatuses:\n  "1": {en-gb: Paid}\n'
    )
    for glob, broken in [
        ("integrations/**/de-*.yaml", ["integrations/de-y.yaml", "integrations/sub/de-x.yaml"]),
        ("./integrations/de-*.yaml", ["integrations/de-y.yaml"]),
        ("integrations/sub/", ["integrations/sub/de-x.yaml"]),
    ]:
        (tmp_path / "reconciler.yaml").write_text(
            "policies:\n  - kind: required-languages\n    languages: [de-de]\n"
            f"    paths: [{glob!r}]\n"
        )
        assert main(["validate", "integrations"]) == 1, glob
        err = capsys.readouterr().err
        assert sorted(line.split(":")[0] for line in err.splitlines() if "no de-de" in line) == (
            broken
        ), glob
