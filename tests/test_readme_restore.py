"""The README's restore commands work exactly as shown, after the quick start it follows.

The quick start's steps run first (in-process, from a copy of examples/ in an empty directory),
then every ``reconciler`` line of the restore section's shell block, as written.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from reconciler.cli import main
from tests.test_quickstart import ROOT, steps_of_quickstart


def restore_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Restore from the journal", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)[0]
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_readme_restore_example_reads_the_journal_the_quick_start_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    for name in ("SENDCLOUD_PUBLIC_KEY", "SENDCLOUD_SECRET_KEY", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    for step in steps_of_quickstart():
        assert main(["--sandbox", *step]) == 0, (step, capsys.readouterr())
    restore, apply_plan, forward = restore_commands()
    capsys.readouterr()

    assert main(shlex.split(restore)[1:]) == 0, capsys.readouterr()

    out, err = capsys.readouterr()
    assert '~ READY_TO_SEND: "2" → (unmapped)' in out
    # What restore suggests is the README's next line (which adds the confirmation).
    suggested = err.splitlines()[-1].split("apply it with: ", 1)[1]
    assert apply_plan == f"{suggested} --auto-approve"
    assert main(shlex.split(apply_plan)[1:]) == 0, capsys.readouterr()
    assert main(["--sandbox", "sandbox", "show", "23452346"]) == 0
    assert "READY_TO_SEND: null" in capsys.readouterr().out
    assert main(shlex.split(forward)[1:]) == 0, capsys.readouterr()
    assert main(["--sandbox", "drift", "examples/integrations/"]) == 0  # as the quick start left it
