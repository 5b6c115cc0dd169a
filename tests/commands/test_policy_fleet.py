"""Policies selected by account and label in a fleet (validate, plan JSON and Markdown, Actions
annotations), undefined accounts, and ``reconciler policy list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import FAST, run
from tests.support.simulator import BackgroundServer

ROOT = Path(__file__).parents[2]


def test_policy_list_prints_the_rules_in_force(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "policy", "list", "examples/policies/required-languages/failing")
    assert code == 0
    where = "examples/policies/required-languages"
    assert out.splitlines() == [
        f"3 rules in force for {where}/failing (2 files) from {where}/reconciler.yaml:",
        f"  error   english-everywhere: every status has en-gb texts [{where}/reconciler.yaml:4]",
        "          The support team reads the English names; every status needs one.",
        "          selects: every file",
        "          applies to: all 2 files",
        f"  warning german-for-de-shops: every status has de-de texts [{where}/reconciler.yaml:8]",
        "          German shops show the German name to customers.",
        "          selects: paths */de-*.yaml",
        f"          applies to 1 of 2 files: {where}/failing/de-shop.yaml",
        "  error   mapped-status-not-deleted: no status is deleted while the live mapping uses "
        "it (built in: plan marks such a plan unsafe and apply refuses it) [built in]",
        f"Every rule of {where}/reconciler.yaml selects some of these files.",
    ]


FLEET_PROJECT = (
    "accounts:\n"
    "  agency-de:\n"
    "    paths: ['shops/de/**']\n"
    "    public_key_env: DE_KEY\n"
    "    secret_key_env: DE_SECRET\n"
    "  agency-nl:\n"
    "    paths: ['shops/nl/**']\n"
    "    public_key_env: NL_KEY\n"
    "    secret_key_env: NL_SECRET\n"
    "policies:\n"
    "  - name: german\n"
    "    kind: required-languages\n"
    "    languages: [de-de]\n"
    "    accounts: [agency-de]\n"
    "  - name: tier-1-small\n"
    "    kind: max-statuses\n"
    "    max: 1\n"
    "    labels: [tier-1]\n"
    "    severity: warning\n"
    "  - name: dutch\n"
    "    kind: required-languages\n"
    "    languages: [nl-nl]\n"
    "    accounts: [agency-nl]\n"
    "    integrations: [99]\n"
)


def fleet_project(root: Path) -> None:
    """Two accounts; a rule per account and one by a label a base gives; two shops in DE."""
    (root / "reconciler.yaml").write_text(FLEET_PROJECT)
    (root / "bases").mkdir()
    (root / "bases/premium.yaml").write_text('labels: [tier-1]\nstatuses:\n  "9": {en-gb: VIP}\n')
    (root / "shops/de").mkdir(parents=True)
    (root / "shops/de/berlin.yaml").write_text(
        'integration_id: 41\nextends: ../../bases/premium.yaml\nstatuses:\n  "1": {en-gb: Paid}\n'
    )
    (root / "shops/de/bonn.yaml").write_text(
        'integration_id: 42\nstatuses:\n  "1": {en-gb: Paid, de-de: Bezahlt}\n'
    )


def test_policy_list_evaluates_account_and_label_selectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fleet_project(tmp_path)
    code, out, err = run(capsys, "policy", "list", "shops/de/berlin.yaml")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "3 rules in force for shops/de/berlin.yaml (1 file) from reconciler.yaml:",
        "  error   german: every status has de-de texts [reconciler.yaml:11]",
        "          selects: accounts agency-de",
        "          applies to: the file",
        "  warning tier-1-small: at most 1 statuses [reconciler.yaml:15]",
        "          selects: labels tier-1",
        "          applies to: the file",
        "  error   mapped-status-not-deleted: no status is deleted while the live mapping uses "
        "it (built in: plan marks such a plan unsafe and apply refuses it) [built in]",
        "1 rule of reconciler.yaml selects none of these files: dutch.",
    ]

    code, out, _ = run(capsys, "policy", "list", "shops/de/bonn.yaml")
    assert code == 0
    assert out.splitlines()[0] == (
        "2 rules in force for shops/de/bonn.yaml (1 file) from reconciler.yaml:"
    )
    assert out.splitlines()[-1] == (
        "2 rules of reconciler.yaml select none of these files: tier-1-small, dutch."
    )
    code, out, _ = run(capsys, "policy", "list", "shops")
    assert "          applies to 1 of 2 files: shops/de/berlin.yaml" in out.splitlines()


def test_policy_list_refuses_a_missing_path_or_an_invalid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fleet_project(tmp_path)
    code, out, err = run(capsys, "policy", "list", "shops/fr")
    assert (code, out) == (1, "")
    assert err == "Error: shops/fr does not exist; check the PATH arguments.\n"
    code, out, err = run(capsys, "policy", "list")  # the default, integrations/, is not there
    assert (code, out) == (1, "")
    assert "`reconciler policy list examples/integrations/`" in err
    Path("shops/de/bonn.yaml").write_text("integration_id: nine\n")
    code, out, err = run(capsys, "policy", "list", "shops")
    assert (code, out) == (1, "")
    assert err.splitlines()[0].startswith("shops/de/bonn.yaml:1:17: integration_id must be")
    assert "Traceback" not in err


def test_an_account_the_project_does_not_define_is_located_and_the_nearest_suggested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fleet_project(tmp_path)
    Path("policies.yaml").write_text(
        "policies:\n  - kind: max-statuses\n    max: 3\n    accounts: [shops-fr, agnecy-de]\n"
    )
    text = FLEET_PROJECT.replace("policies:\n", "policies:\n  - include: policies.yaml\n")
    Path("reconciler.yaml").write_text(text.replace("[agency-nl]", "[Agency-NL]"))
    for command in (["validate"], ["policy", "list"]):
        code, out, err = run(capsys, *command, "shops")
        assert (code, out) == (1, "")
        assert err.splitlines() == [
            "policies.yaml:4:16: policy: no account 'shops-fr' in reconciler.yaml; the "
            "accounts are agency-de, agency-nl",
            "policies.yaml:4:26: policy: no account 'agnecy-de' in reconciler.yaml; did you mean "
            "'agency-de'? the accounts are agency-de, agency-nl",
            "reconciler.yaml:24:16: policy: no account 'Agency-NL' in reconciler.yaml; did you "
            "mean 'agency-nl'? the accounts are agency-de, agency-nl",
            "3 problems in 2 files.",
        ]


@pytest.fixture
def fleet_shops(live_api: BackgroundServer) -> BackgroundServer:
    """`fleet_project` with account agency-de reading the simulator with the test key pair."""
    fleet_project(Path.cwd())
    text = FLEET_PROJECT.replace("DE_KEY", "SENDCLOUD_PUBLIC_KEY").replace(
        "DE_SECRET", f"SENDCLOUD_SECRET_KEY\n    api_url: {live_api.base_url}"
    )
    Path("reconciler.yaml").write_text(text)
    return live_api


ACCOUNT_AND_LABEL_VIOLATIONS = [
    (
        'bases/premium.yaml:3:3: error: status "9" has no de-de text '
        "(integration 41, shops/de/berlin.yaml) (rule 'german' at reconciler.yaml:11)"
    ),
    "shops/de/berlin.yaml:3:1: warning: 2 statuses, more than 1 (rule 'tier-1-small' at "
    "reconciler.yaml:15)",
    "shops/de/berlin.yaml:4:3: error: status \"1\" has no de-de text (rule 'german' at "
    "reconciler.yaml:11)",
    "Policy: 2 errors, 1 warning.",
]


def test_account_and_label_violations_in_validate_and_actions_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    fleet_project(tmp_path)
    code, out, err = run(capsys, "validate", "shops")
    assert code == 1
    assert out == "2 files read; policy errors found.\n"
    assert err.splitlines() == ACCOUNT_AND_LABEL_VIOLATIONS

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, _, err = run(capsys, "validate", "shops")
    assert code == 1
    annotations = [line for line in err.splitlines() if line.startswith("::")]
    assert annotations == [
        '::error file=bases/premium.yaml,line=3,col=3,title=policy german::status "9" has no '
        "de-de text (integration 41, shops/de/berlin.yaml) (rule at reconciler.yaml:11)",
        "::warning file=shops/de/berlin.yaml,line=3,col=1,title=policy tier-1-small::2 statuses, "
        "more than 1 (rule at reconciler.yaml:15)",
        '::error file=shops/de/berlin.yaml,line=4,col=3,title=policy german::status "1" has '
        "no de-de text (rule at reconciler.yaml:11)",
    ]


def test_account_and_label_violations_in_the_json_plan_and_the_pr_comment(
    fleet_shops: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "plan", "shops", "--format", "json", *FAST)
    assert code == 1
    document = json.loads(out)
    assert [i["integration_id"] for i in document["integrations"]] == [41, 42]
    assert [
        (v["path"], v["line"], v["severity"], v["rule"], v["integration_id"], v["source"])
        for v in document["policy_violations"]
    ] == [
        ("bases/premium.yaml", 3, "error", "german", 41, "shops/de/berlin.yaml"),
        ("shops/de/berlin.yaml", 3, "warning", "tier-1-small", 41, "shops/de/berlin.yaml"),
        ("shops/de/berlin.yaml", 4, "error", "german", 41, "shops/de/berlin.yaml"),
    ]
    # The project file here has one more line (api_url) above the rules.
    moved = [
        v.replace(":11)", ":12)").replace(":15)", ":16)") for v in ACCOUNT_AND_LABEL_VIOLATIONS
    ]
    assert err.splitlines()[:4] == moved

    _, markdown, _ = run(capsys, "plan", "shops", "--format", "markdown", *FAST)
    assert [line for line in markdown.splitlines() if line.startswith("> ")] == [
        "> [!CAUTION]",
        "> **Policy: 2 errors, 1 warning**",
        '> - error: <code>bases/premium.yaml:3</code> status "9" has no de-de text (integration '
        "41, shops/de/berlin.yaml) (rule german at <code>reconciler.yaml:12</code>)",
        '> - error: <code>shops/de/berlin.yaml:4</code> status "1" has no de-de text (rule german '
        "at <code>reconciler.yaml:12</code>)",
        "> - warning: <code>shops/de/berlin.yaml:3</code> 2 statuses, more than 1 (rule "
        "tier-1-small at <code>reconciler.yaml:16</code>)",
    ]


def test_the_readme_shows_policy_list_as_it_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    command = "reconciler policy list examples/policies/by-account/passing"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split(f"{command}\n```\n\n```text\n", 1)[1].split("```", 1)[0]
    code, out, _ = run(capsys, *command.split()[1:])
    assert (code, out) == (0, shown)


def test_policy_list_without_a_project_file_lists_the_built_in_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".git").mkdir()  # the repository root: no project file above it is looked for
    Path("a.yaml").write_text("integration_id: 3\n")
    code, out, _ = run(capsys, "policy", "list", "a.yaml")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "1 rule in force for a.yaml (1 file) (no reconciler.yaml found: only the built-in rule):"
    )
    assert len(lines) == 2
    assert lines[1].startswith("  error   mapped-status-not-deleted:")
