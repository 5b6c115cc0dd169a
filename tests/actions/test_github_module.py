from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from reconciler import actions as github

HOSTILE = "a,b:c%\n::warning::x"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, True),
        ({"GITHUB_ACTIONS": "false"}, False),
        ({"GITHUB_ACTIONS": "TRUE"}, False),
        ({}, False),
    ],
)
def test_in_github_actions(env: dict[str, str], expected: bool) -> None:
    assert github.in_github_actions(env) is expected


def test_escape_data_escapes_percent_first() -> None:
    assert github.escape_data("100%\r\n") == "100%25%0D%0A"
    # An already escaped-looking sequence must survive a round trip unchanged.
    assert github.escape_data("%0A") == "%250A"


def test_escape_property_also_escapes_colon_and_comma() -> None:
    assert github.escape_property(HOSTILE) == "a%2Cb%3Ac%25%0A%3A%3Awarning%3A%3Ax"


def test_error_annotation_plain() -> None:
    assert (
        github.error_annotation(
            "unknown field 'colour'", file="integrations/shop.yaml", line=3, col=5
        )
        == "::error file=integrations/shop.yaml,line=3,col=5::unknown field 'colour'"
    )


def test_error_annotation_escapes_hostile_message_file_and_title() -> None:
    line = github.error_annotation(HOSTILE, file=HOSTILE, line=1, col=2, title=HOSTILE)
    assert line == (
        "::error file=a%2Cb%3Ac%25%0A%3A%3Awarning%3A%3Ax,line=1,col=2,"
        "title=a%2Cb%3Ac%25%0A%3A%3Awarning%3A%3Ax"
        "::a,b:c%25%0A::warning::x"
    )
    # The hostile value must neither end the property list early (the first `::`
    # after the command name is the real separator) nor start a second command.
    assert "\n" not in line
    assert line.split("::")[1].endswith("title=a%2Cb%3Ac%25%0A%3A%3Awarning%3A%3Ax")


def test_error_annotation_omits_missing_position() -> None:
    assert github.error_annotation("bad", file=Path("integrations/a.yaml")) == (
        "::error file=integrations/a.yaml::bad"
    )


def test_warning_annotation() -> None:
    assert github.warning_annotation("deprecated", file="x.yaml", line=7, col=1, title="t") == (
        "::warning file=x.yaml,line=7,col=1,title=t::deprecated"
    )


def test_append_step_summary_appends_blocks(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("existing\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    github.append_step_summary("# Plan\n\n2 changes", env)
    github.append_step_summary("## Drift\n", env)
    assert summary.read_text(encoding="utf-8") == "existing\n# Plan\n\n2 changes\n## Drift\n"


def test_append_step_summary_creates_missing_file(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    github.append_step_summary("ünïcode ✓\n", {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == "ünïcode ✓\n"


@pytest.mark.parametrize("env", [{}, {"GITHUB_STEP_SUMMARY": ""}])
def test_append_step_summary_without_variable_writes_nothing(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    github.append_step_summary("# Plan\n", env)
    assert list(tmp_path.iterdir()) == []


def test_append_step_summary_truncates_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(github, "STEP_SUMMARY_LIMIT", 200)
    summary = tmp_path / "summary.md"
    summary.write_text("x" * 50, encoding="utf-8")
    github.append_step_summary("é\n" * 500, {"GITHUB_STEP_SUMMARY": str(summary)})
    written = summary.read_bytes()
    assert len(written) <= 200
    text = written.decode("utf-8")  # cut between lines: no multi-byte character cut in half
    assert text.startswith("x" * 50 + "é\né\n")
    assert text.endswith("step-summary limit.\n")


def test_step_summary_is_never_cut_inside_a_code_block_or_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(github, "STEP_SUMMARY_LIMIT", 2_000)
    summary = tmp_path / "summary.md"
    section = "<details>\n<summary>s</summary>\n\n```diff\n" + "+ line\n" * 40 + "```\n</details>\n"
    github.append_step_summary("# Plan\n\n" + section * 10, {"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 2_000
    body = text.removesuffix(github._TRUNCATION_NOTE)
    assert body.count("<details>") == body.count("</details>") >= 1
    assert body.count("```") % 2 == 0
    assert text.endswith("step-summary limit.\n")


def test_step_summary_with_no_room_left_gets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(github, "STEP_SUMMARY_LIMIT", 100)
    summary = tmp_path / "summary.md"
    summary.write_text("x" * 99, encoding="utf-8")
    github.append_step_summary("# Plan\n" * 10, {"GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text(encoding="utf-8") == "x" * 99


def test_write_outputs_single_line(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.write_text("earlier=1\n", encoding="utf-8")
    github.write_outputs(
        {"has_changes": "true", "exit_code": "2", "odd": "a,b:c%"},
        {"GITHUB_OUTPUT": str(output)},
    )
    assert output.read_text(encoding="utf-8") == (
        "earlier=1\nhas_changes=true\nexit_code=2\nodd=a,b:c%\n"
    )


def test_write_outputs_multiline_uses_random_heredoc(tmp_path: Path) -> None:
    output = tmp_path / "output"
    env = {"GITHUB_OUTPUT": str(output)}
    github.write_outputs({"report": HOSTILE, "after": "ok"}, env)
    content = output.read_text(encoding="utf-8")
    match = re.fullmatch(r"report<<(ghadelimiter_[0-9a-f]{32})\n.*", content, flags=re.DOTALL)
    assert match is not None
    delimiter = match.group(1)
    assert content == f"report<<{delimiter}\n{HOSTILE}\n{delimiter}\nafter=ok\n"

    # A second write picks a fresh delimiter, so it cannot be learned and replayed.
    github.write_outputs({"report": "x\ny"}, env)
    second = re.findall(r"<<(ghadelimiter_[0-9a-f]{32})", output.read_text(encoding="utf-8"))
    assert len(second) == 2
    assert second[0] != second[1]


def test_write_outputs_carriage_return_is_multiline(tmp_path: Path) -> None:
    output = tmp_path / "output"
    github.write_outputs({"v": "a\rb"}, {"GITHUB_OUTPUT": str(output)})
    content = output.read_bytes().decode("utf-8")
    delimiter = content.split("\n", 1)[0].removeprefix("v<<")
    assert content == f"v<<{delimiter}\na\rb\n{delimiter}\n"


def test_write_outputs_delimiter_never_occurs_in_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = iter(["0" * 32, "1" * 32])
    monkeypatch.setattr(secrets, "token_hex", lambda _n: next(tokens))
    value = f"line\nghadelimiter_{'0' * 32}\nrest"
    output = tmp_path / "output"
    github.write_outputs({"v": value}, {"GITHUB_OUTPUT": str(output)})
    delimiter = f"ghadelimiter_{'1' * 32}"
    assert output.read_text(encoding="utf-8") == f"v<<{delimiter}\n{value}\n{delimiter}\n"


@pytest.mark.parametrize("name", ["", "a=b", "a<<b", "a\nb"])
def test_write_outputs_rejects_names_that_break_the_format(name: str, tmp_path: Path) -> None:
    output = tmp_path / "output"
    with pytest.raises(ValueError, match="invalid GitHub Actions output name"):
        github.write_outputs({name: "v"}, {"GITHUB_OUTPUT": str(output)})
    assert not output.exists()


def test_write_outputs_without_variable_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    github.write_outputs({"has_changes": "false"}, {})
    assert list(tmp_path.iterdir()) == []
