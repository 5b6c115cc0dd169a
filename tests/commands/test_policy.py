"""Policies from the project file at the command line: the examples, validate, plan, apply,
Actions annotations (accounts, labels and ``policy list``: ``test_policy_fleet.py``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reconciler.policy import KINDS as RULE_KINDS
from tests.support.cli import FAST, run
from tests.support.simulator import BackgroundServer

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "policies"
KINDS = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
SELECTORS = ["by-account", "by-label"]  # rules selected by account, by label


def test_every_rule_kind_and_selector_has_an_example() -> None:
    assert sorted([*RULE_KINDS, *SELECTORS]) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_the_passing_example_passes_and_the_failing_one_fails(
    kind: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, err = run(capsys, "validate", f"examples/policies/{kind}/passing")
    assert (code, err) == (0, "")
    assert re.fullmatch(r"\d files? valid( \(extending \d bases?\))?\.\n", out), out

    code, out, err = run(capsys, "validate", f"examples/policies/{kind}/failing")
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors, err
    for line in errors:
        # Located at the value, naming the rule and where it is written.
        assert line.startswith(f"examples/policies/{kind}/failing/")
        assert f"at examples/policies/{kind}/reconciler.yaml:" in line
    assert "policy errors found" in out


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "by-account",
            'examples/policies/by-account/failing/de/munich-beer.yaml:6:3: error: status "2" has '
            "no de-de text; The German account's shops show the German name to customers. "
            "(rule 'german-in-the-de-account' at examples/policies/by-account/reconciler.yaml:16)",
        ),
        (
            "by-label",
            "examples/policies/by-label/failing/premium.yaml:6:3: error: CANCEL is not mapped; "
            "Tier-1 shops must stop shipments of cancelled orders; CANCEL may never be null. "
            "(rule 'tier-1-cancel-mapped' at examples/policies/by-label/reconciler.yaml:7)",
        ),
    ],
)
def test_rules_selected_by_account_and_label_select_only_their_files(
    kind: str, expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each failing example also holds a file the rule does not select, which would break it:
    # the one violation reported is the selected file's.
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, _, err = run(capsys, "validate", f"examples/policies/{kind}/failing")
    assert code == 1
    assert err.splitlines() == [expected, "Policy: 1 error, 0 warnings."]


def test_warnings_are_shown_and_do_not_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("reconciler.yaml").write_text(
        "policies:\n  - kind: status-text\n    avoid: test\n    severity: warning\n"
    )
    Path("shops").mkdir()
    Path("shops/a.yaml").write_text('integration_id: 3\nstatuses:\n  "1":\n    en-gb: a test\n')
    code, out, err = run(capsys, "validate", "shops")
    assert code == 0
    assert out == "1 file valid.\n"
    assert err.splitlines() == [
        'shops/a.yaml:4:5: warning: status "1" en-gb "a test" contains \'test\' '
        "(rule 'status-text' at reconciler.yaml:2)",
        "Policy: 0 errors, 1 warning.",
    ]


def test_bad_rules_and_includes_are_located_in_their_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("policies").mkdir()
    Path("policies/shared.yaml").write_text("policies:\n  - kind: max-statuses\n    max: many\n")
    Path("reconciler.yaml").write_text(
        "policies:\n"
        "  - include: policies/shared.yaml\n"
        "  - kind: sparkle\n"
        "  - include: missing.yaml\n"
        "  - kind: status-text\n"
        "    match: '('\n"
        "  - kind: max-statuses\n"
        "    max: 3\n"
        "    labels: [tier-1]\n"  # free-form: no file has it, and that is no mistake
        "  - kind: max-statuses\n"
        "    max: 3\n"
        "    accounts: [agency-nl]\n"
    )
    Path("shops").mkdir()
    Path("shops/a.yaml").write_text("integration_id: 3\n")
    code, _, err = run(capsys, "validate", "shops")
    assert code == 1
    lines = err.splitlines()
    assert lines[:-1] == [
        "policies/shared.yaml:3:5: policy: max: many is not a whole number written in plain "
        "decimal digits (0-9, no leading zeros, separators or 0x/0o prefixes)",
        "reconciler.yaml:3:5: policy: `kind` must be one of: required-languages, "
        "mapped-categories, distinct-categories, external-id-pattern, status-text, max-statuses",
        "reconciler.yaml:4:5: `include: missing.yaml`: no such file",
        "reconciler.yaml:6:5: policy: match: not a valid regular expression: "
        "missing ), unterminated subpattern at position 0",
        "reconciler.yaml:12:16: policy: no account 'agency-nl' in reconciler.yaml; "
        "reconciler.yaml defines no accounts (add them under `accounts`)",
    ]
    assert "Traceback" not in err


def test_rules_that_check_nothing_or_cannot_be_told_apart_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("policies.yaml").write_text("policies:\n  - {name: short, kind: max-statuses, max: 9}\n")
    Path("reconciler.yaml").write_text(
        "policies:\n"
        "  - {kind: status-text, languages: [en-gb]}\n"
        "  - {kind: distinct-categories, categories: [CANCEL, CANCEL]}\n"
        "  - {kind: mapped-categories, categories: [CANCEL, DELIVERED, CANCEL]}\n"
        "  - {kind: required-languages, languages: [en-gb, en-gb]}\n"
        "  - {name: short, kind: max-statuses, max: 3}\n"
        "  - include: policies.yaml\n"
        "  - {name: short, kind: max-statuses, max: 4}\n"
        "  - {kind: mapped-status-not-deleted, severity: warning}\n"
    )
    Path("shops").mkdir()
    Path("shops/a.yaml").write_text("integration_id: 3\n")
    code, _, err = run(capsys, "validate", "shops")
    assert code == 1
    assert err.splitlines()[:-1] == [
        "policies.yaml:2:12: policy: a rule named 'short' is already written at "
        "reconciler.yaml:6; give each rule its own name",
        "reconciler.yaml:2:5: policy: a status-text rule needs `match`, `avoid` or both; without "
        "them it checks nothing",
        "reconciler.yaml:3:33: policy: categories: CANCEL is listed twice; list each once",
        "reconciler.yaml:4:31: policy: categories: CANCEL is listed twice; list each once",
        "reconciler.yaml:5:32: policy: languages: en-gb is listed twice; list each once",
        "reconciler.yaml:8:12: policy: a rule named 'short' is already written at "
        "reconciler.yaml:6; give each rule its own name",
        "reconciler.yaml:9:5: policy: `kind: mapped-status-not-deleted` is built in and always "
        "on: no status is deleted while the live mapping uses it (plan marks such a plan unsafe, "
        "apply refuses it); it cannot be configured, so remove this rule",
    ]


@pytest.mark.parametrize("written", ["0x10", "1_6", "010", "0o20", "+16"])
def test_selector_ids_are_written_as_integration_ids_are(
    written: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("shops").mkdir()
    Path("shops/a.yaml").write_text(f"integration_id: {written}\n")
    code, _, in_file = run(capsys, "validate", "shops")
    assert code == 1
    Path("shops/a.yaml").write_text("integration_id: 16\n")
    Path("reconciler.yaml").write_text(
        f"policies:\n  - {{kind: max-statuses, max: 0, integrations: [3, {written}]}}\n"
    )
    code, _, in_rule = run(capsys, "validate", "shops")
    assert code == 1
    message = in_file.splitlines()[0].split(": ", 1)[1]
    assert message.startswith(f"integration_id {written} is not written in plain decimal digits")
    Path("reconciler.yaml").write_text(f"policies:\n  - {{kind: max-statuses, max: {written}}}\n")
    assert run(capsys, "validate", "shops")[2].splitlines()[0] == (
        f"reconciler.yaml:2:26: policy: max: {written} is not a whole number written in plain "
        "decimal digits (0-9, no leading zeros, separators or 0x/0o prefixes)"
    )
    assert in_rule.splitlines()[0] == (
        "reconciler.yaml:2:52: policy: "
        + re.sub(
            r"`integration_id: (\d+)`",
            r"`\1`",
            message.replace("integration_id", "integration id", 1),
        )
    )


@pytest.fixture
def shop(live_api: BackgroundServer) -> BackgroundServer:
    """A project whose file breaks one error rule and one warning rule."""
    Path("reconciler.yaml").write_text(
        "policies:\n"
        "  - name: cancel-mapped\n"
        "    kind: mapped-categories\n"
        "    categories: [CANCEL]\n"
        "    message: CANCEL may never be null.\n"
        "  - kind: max-statuses\n"
        "    max: 0\n"
        "    severity: warning\n"
    )
    Path("shops").mkdir()
    Path("shops/a.yaml").write_text(
        'integration_id: 31\nstatuses:\n  "1":\n    en-gb: Paid\nmapping:\n'
        "  READY_TO_SEND: null\n  IN_TRANSIT: null\n  DELIVERED: null\n  CANCEL: null\n"
    )
    return live_api


def test_plan_lists_violations_in_json_and_markdown_and_saves_no_plan(
    shop: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = ("--api-url", shop.base_url, *FAST)
    code, out, err = run(capsys, "plan", "shops", "--format", "json", "--out", "p.json", *api)
    assert code == 1
    assert not Path("p.json").exists()
    violations = json.loads(out)["policy_violations"]
    assert violations == [
        {
            "path": "shops/a.yaml",
            "line": 2,
            "col": 1,
            "severity": "warning",
            "rule": "max-statuses",
            "rule_origin": "reconciler.yaml:6",
            "detail": "1 status, more than 0",
            "message": "",
            "integration_id": 31,
            "source": "shops/a.yaml",
        },
        {
            "path": "shops/a.yaml",
            "line": 9,
            "col": 3,
            "severity": "error",
            "rule": "cancel-mapped",
            "rule_origin": "reconciler.yaml:2",
            "detail": "CANCEL is not mapped",
            "message": "CANCEL may never be null.",
            "integration_id": 31,
            "source": "shops/a.yaml",
        },
    ]
    assert "shops/a.yaml:9:3: error: CANCEL is not mapped; CANCEL may never be null." in err

    _, markdown, _ = run(capsys, "plan", "shops", "--format", "markdown", *api)
    assert "> [!CAUTION]" in markdown
    assert "Policy: 1 error, 1 warning" in markdown
    assert "CANCEL is not mapped" in markdown


def test_apply_refuses_files_that_break_an_error_rule(
    shop: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = ("--api-url", shop.base_url, *FAST)
    code, _, err = run(capsys, "apply", "shops", "--auto-approve", *api)
    assert code == 1
    assert "Error: nothing applied: the files break the policies above." in err
    assert shop.simulator.log.writes() == []

    # With CANCEL mapped only the warning remains: shown, and the apply goes ahead.
    text = Path("shops/a.yaml").read_text().replace("CANCEL: null", 'CANCEL: "1"')
    Path("shops/a.yaml").write_text(text)
    code, _, err = run(capsys, "apply", "shops", "--auto-approve", *api)
    assert code == 0, err
    assert "warning: 1 status, more than 0" in err
    assert len(shop.simulator.log.writes()) == 2


def test_apply_of_a_saved_plan_checks_the_policies_on_the_files_as_plain_apply_does(
    shop: BackgroundServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Actions apply step (`apply --plan --check-files`): a rule added since the plan was
    made, which the files break, blocks the apply as it blocks `apply PATH`."""
    api = ("--api-url", shop.base_url, *FAST)
    text = Path("shops/a.yaml").read_text().replace("CANCEL: null", 'CANCEL: "1"')
    Path("shops/a.yaml").write_text(text)
    code, _, err = run(capsys, "plan", "shops", "--out", "p.json", *api)
    assert code == 0, err
    project = Path("reconciler.yaml")
    project.write_text(
        project.read_text() + "  - kind: required-languages\n    languages: [de-de]\n"
    )
    code, _, err = run(
        capsys, "apply", "--plan", "p.json", "--check-files", "shops", "--auto-approve", *api
    )
    assert code == 1
    assert 'shops/a.yaml:3:3: error: status "1" has no de-de text' in err
    assert "Error: nothing applied: the files break the policies above." in err
    assert shop.simulator.log.writes() == []
    # Without the new rule the same saved plan applies (the check is on the policies only).
    project.write_text(project.read_text().replace("languages: [de-de]", "languages: [en-gb]"))
    code, _, err = run(
        capsys, "apply", "--plan", "p.json", "--check-files", "shops", "--auto-approve", *api
    )
    assert code == 0, err
    assert len(shop.simulator.log.writes()) == 2


def test_violations_are_annotations_in_github_actions(
    shop: BackgroundServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(Path("summary.md").resolve()))
    monkeypatch.setenv("GITHUB_OUTPUT", str(Path("out.txt").resolve()))
    code, _, err = run(capsys, "validate", "shops")
    assert code == 1
    assert (
        "::error file=shops/a.yaml,line=9,col=3,title=policy cancel-mapped::CANCEL is not "
        "mapped; CANCEL may never be null. (rule at reconciler.yaml:2)"
    ) in err.splitlines()
    assert "::warning file=shops/a.yaml,line=2,col=1,title=policy max-statuses::" in err
