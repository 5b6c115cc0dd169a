"""``reconciler.yaml``: found upward (not past the repository root), validated, applied."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.config.loader import load_fleet
from reconciler.config.project import find_project_file, load_project
from reconciler.errors import ConfigError
from reconciler.project import Project, Safety

PROJECT = """\
# yaml-language-server: $schema=schemas/project.schema.json
defaults:
  safety:
    max_delete_share: 0.4
  unmanaged: [12, "module-*"]
accounts:
  agency-nl:
    paths: ["integrations/nl/**"]
    public_key_env: NL_SENDCLOUD_PUBLIC_KEY
    secret_key_env: NL_SENDCLOUD_SECRET_KEY
    safety: {min_live_statuses: 10, max_integration_share: 0.25}
    unmanaged: ["nl-*"]
  agency-de:
    labels: [de]
    auth: oauth2
    public_key_env: DE_ID
    secret_key_env: DE_SECRET
policies: []
unclaimed: command-line  # integrations/other.yaml uses the command line's key pair
"""


@pytest.fixture(autouse=True)
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    subprocess.run(["git", "init", "-q", "."], check=True)
    return root


def write(name: str, text: str) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(text: str) -> list[str]:
    write("reconciler.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_project(["."])
    return [str(p) for p in caught.value.problems]


def test_found_from_a_file_deep_below_and_applied_per_account() -> None:
    write("reconciler.yaml", PROJECT)
    write("integrations/nl/amsterdam/shop.yaml", "integration_id: 1\nstatuses: {}\n")
    write("integrations/de/shop.yaml", "integration_id: 2\nlabels: [de]\nstatuses: {}\n")
    write("integrations/other.yaml", "integration_id: 3\nsafety: {max_delete_share: 0.1}\n")

    fleet = load_fleet(["integrations/nl/amsterdam/shop.yaml", "integrations/de", "integrations"])

    assert fleet.project.path == "reconciler.yaml"
    nl, de, other = fleet.files
    assert (nl.account, de.account, other.account) == ("agency-nl", "agency-de", None)
    assert nl.safety == Safety(0.4, 10, 0.25)
    assert de.safety == Safety(0.4, 4, None)
    assert other.safety == Safety(0.1, 4, None)
    assert nl.unmanaged == ("12", "module-*", "nl-*")
    assert other.unmanaged == ("12", "module-*")


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text("defaults: {}\n", encoding="utf-8")
    write("integrations/a.yaml", "integration_id: 1\n")

    assert find_project_file(["integrations"]) is None
    assert load_fleet(["integrations"]).project == Project.none()


def test_without_a_project_file_everything_is_as_before() -> None:
    write("integrations/a.yaml", "integration_id: 1\nstatuses: {}\n")

    [shop] = load_fleet(["integrations"]).files

    assert (shop.account, shop.safety, shop.unmanaged) == (None, Safety(), ())


def test_the_project_file_is_not_read_as_a_desired_state_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    write("reconciler.yaml", PROJECT)
    write("a.yaml", "integration_id: 1\nstatuses: {}\n")

    assert main(["validate", "."]) == 0
    assert capsys.readouterr().out == "1 file valid.\n"


def test_mistakes_are_located_and_say_what_to_do() -> None:
    text = PROJECT.replace("  safety:\n    max_delete_share: 0.4", "  safty:\n    x: 1")
    text = text.replace("max_integration_share: 0.25", "max_integration_share: 25")
    text = text.replace("auth: oauth2", "auth: oauth")
    assert problems(text) == [
        "reconciler.yaml:3:3: unknown key 'safty' in defaults; did you mean safety? "
        "the keys are safety, unmanaged",
        "reconciler.yaml:11:60: accounts.agency-nl.safety.max_integration_share must be a share "
        "between 0 and 1 (0.3 is 30 %), not 25",
        "reconciler.yaml:15:11: accounts.agency-de.auth must be 'basic' or 'oauth2', not 'oauth'",
    ]


def test_a_credential_pasted_instead_of_a_variable_name_is_never_echoed() -> None:
    secret = "sk_live_9f8e7d6c-5b4a"
    [message] = problems(PROJECT.replace("DE_SECRET", secret))

    assert secret not in message
    assert message == (
        "reconciler.yaml:17:21: accounts.agency-de.secret_key_env must be the NAME of an "
        "environment variable (letters, digits and _, such as NL_SENDCLOUD_PUBLIC_KEY), never "
        "the key itself"
    )


def test_a_missing_credential_name_is_located_at_its_account() -> None:
    assert problems(PROJECT.replace("    secret_key_env: DE_SECRET\n", "")) == [
        "reconciler.yaml:13:3: accounts.agency-de is missing 'secret_key_env'; add it"
    ]
