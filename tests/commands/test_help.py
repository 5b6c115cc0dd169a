"""--help of each command: the options that apply, PATH, environment, exit codes, examples."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reconciler.cli import main

API_OPTIONS = ("--api-url", "--sandbox", "--debug", "--parallelism", "--reads-per-minute")
COMMANDS = [
    ["validate"],
    ["plan"],
    ["apply"],
    ["snapshot"],
    ["drift"],
    ["import"],
    ["adopt"],
    ["schema"],
    ["completion"],
    ["sandbox", "serve"],
    ["sandbox", "show"],
    ["sandbox", "set"],
    ["sandbox", "edit"],
    ["restore"],
    ["journal", "show"],
    ["policy", "list"],
]
WITH_PATHS = {"validate", "plan", "apply", "snapshot", "drift", "adopt"}


def help_of(command: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main([*command, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_says_environment_exit_codes_and_examples(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    assert "\nEnvironment:\n" in text.replace("  Environment:", "Environment:")
    assert "Exit codes:\n    0  " in text
    examples = text.split("Examples:\n", 1)[1]
    assert f"reconciler {' '.join(command)}" in examples
    if command[0] in WITH_PATHS:
        assert "Default: integrations/ in the current directory." in text


@pytest.mark.parametrize("command", [["plan"], ["apply"], ["drift"]], ids=" ".join)
def test_api_commands_name_the_variables_they_read(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    for variable in ("SENDCLOUD_PUBLIC_KEY", "SENDCLOUD_SECRET_KEY", "SENDCLOUD_API_URL", "CI"):
        assert variable in text
    assert all(option in text for option in API_OPTIONS)


@pytest.mark.parametrize("command", [["validate"], ["schema"]], ids=" ".join)
def test_offline_commands_list_no_api_options(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    assert not [option for option in API_OPTIONS if option in text]
    assert "SENDCLOUD_" not in text


@pytest.mark.parametrize(
    "argv", [["--debug", "--sandbox", "plan"], ["plan", "--debug", "--sandbox"]], ids=" ".join
)
def test_shared_options_work_before_and_after_the_command(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations" / "1.yaml").write_text("integration_id: 1\nstatuses: {}\n")
    assert main(argv) == 0
    assert "-> GET http://sandbox.invalid/api/v3/shop-order-statuses" in caplog.text
    assert "Plan: no changes" in capsys.readouterr().out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_calling_back_into_reconciler(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert f"_RECONCILER_COMPLETE={shell}_complete" in script
    if shell == "bash" and shutil.which("bash"):
        subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_completion_answers_with_the_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_RECONCILER_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "reconciler sandbox s")
    monkeypatch.setenv("COMP_CWORD", "2")
    with pytest.raises(SystemExit):
        main([])
    assert capsys.readouterr().out.split() == ["plain,serve", "plain,set", "plain,show"]


def test_completion_of_an_unknown_shell_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "tcsh"]) == 1
    assert "'tcsh' is not one of 'bash', 'zsh', 'fish'" in capsys.readouterr().err
