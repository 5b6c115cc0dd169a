"""`reconciler sandbox edit` without a usable editor: one line at once, never a hang or a crash.

Each test runs from an empty tmp_path holding integration 5 in the default sandbox state, with a
PATH of fake editors that leave a mark when run, and a temporary directory of its own so that a
left-behind edit file shows.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.sendcloud.options import DEFAULT_SANDBOX_STATE
from tests.commands.simstate import integration

FAKE_EDITORS = ("sensible-editor", "editor", "vim", "nano", "vi")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("VISUAL", "EDITOR", "SENDCLOUD_PUBLIC_KEY", "SENDCLOUD_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    state = tmp_path / DEFAULT_SANDBOX_STATE
    state.parent.mkdir(parents=True)
    shop = integration({"4": {"en-gb": "Shipped"}}, {"IN_TRANSIT": "4"})
    state.write_text(json.dumps({"integrations": {"5": shop}}), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in FAKE_EDITORS:  # each renames the status, and says it ran
        script = bin_dir / name
        script.write_text(
            f"#!{sys.executable}\n"
            "import pathlib, sys\n"
            f"pathlib.Path({str(tmp_path / 'ran')!r}).write_text({name!r})\n"
            "p = pathlib.Path(sys.argv[-1])\n"
            "p.write_text(p.read_text().replace('Shipped', 'Sent'))\n",
            encoding="utf-8",
        )
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return tmp_path


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # as in CI: input is not a terminal


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    controller, device = os.openpty()
    with open(device, encoding="utf-8") as stdin:
        monkeypatch.setattr(sys, "stdin", stdin)
        yield
    os.close(controller)


def edit(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["sandbox", "edit", "5"])
    return code, capsys.readouterr().err


def assert_refused_at_once(workdir: Path, code: int, err: str) -> None:
    assert code == 1
    assert err.startswith("Error: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert "crashed" not in err
    assert not (workdir / "ran").exists(), "no editor may be started"
    assert list((workdir / "tmp").iterdir()) == [], "nothing written, nothing left behind"
    assert "Shipped" in (workdir / DEFAULT_SANDBOX_STATE).read_text(encoding="utf-8")


@pytest.mark.usefixtures("no_terminal")
def test_no_editor_and_no_terminal_says_to_set_editor_instead_of_starting_vim(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = edit(capsys)

    assert_refused_at_once(workdir, code, err)
    assert "$VISUAL and $EDITOR are unset and there is no terminal" in err
    assert "set EDITOR" in err
    assert (
        "`reconciler sandbox show 5 > shop.yaml`, then `reconciler sandbox set 5 shop.yaml`" in err
    )


@pytest.mark.usefixtures("no_terminal")
def test_an_editor_that_is_not_installed_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "no-such-editor --wait")

    code, err = edit(capsys)

    assert_refused_at_once(workdir, code, err)
    assert "the editor 'no-such-editor' ($EDITOR) is not an installed command" in err


@pytest.mark.usefixtures("no_terminal")
def test_visual_is_named_when_it_is_the_one_used(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "/nowhere/editor")
    monkeypatch.setenv("EDITOR", "vim")

    code, err = edit(capsys)

    assert_refused_at_once(workdir, code, err)
    assert "the editor '/nowhere/editor' ($VISUAL)" in err


@pytest.mark.usefixtures("no_terminal")
def test_an_editor_variable_with_an_unclosed_quote_is_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "vim '")

    code, err = edit(capsys)

    assert_refused_at_once(workdir, code, err)
    assert '$EDITOR ("vim \'") is not a command line' in err


@pytest.mark.usefixtures("no_terminal")
def test_an_editor_that_is_set_is_used_without_a_terminal(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GUI editor (`code --wait`) needs no terminal: a set $EDITOR is always honoured."""
    monkeypatch.setenv("EDITOR", "nano")

    assert main(["sandbox", "edit", "5"]) == 0

    assert (workdir / "ran").read_text(encoding="utf-8") == "nano"
    assert "1 status edited" in capsys.readouterr().out


@pytest.mark.usefixtures("terminal")
def test_on_a_terminal_without_editor_a_default_editor_opens(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "edit", "5"]) == 0

    assert (workdir / "ran").read_text(encoding="utf-8") == "sensible-editor"
    assert "1 status edited" in capsys.readouterr().out
    saved = (workdir / DEFAULT_SANDBOX_STATE).read_text(encoding="utf-8")
    assert "Sent" in saved
    assert "Shipped" not in saved


def test_with_standard_input_closed_it_is_the_same_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # as Python starts with fd 0 closed (`<&-`)

    code, err = edit(capsys)

    assert_refused_at_once(workdir, code, err)
    assert "there is no terminal" in err
