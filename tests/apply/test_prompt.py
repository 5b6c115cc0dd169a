"""The confirmation: asked on a terminal, refused without one unless --auto-approve."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.apply.support import Cli, write_file, writes


class Terminal(io.StringIO):
    """Standard input that claims to be a terminal, with the user's answer already typed."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return write_file(tmp_path, 11, statuses={"1": {"en-gb": "Paid"}})


def test_yes_applies(cli: Cli, sim: Simulator, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))

    run = cli("apply", path)

    assert run.code == 0, run.err
    assert "Apply these changes? [y/N]" in run.err
    assert len(writes(sim)) == 1


@pytest.mark.parametrize("answer", ["n\n", "\n"], ids=["no", "default"])
def test_no_refuses_and_writes_nothing(
    cli: Cli, sim: Simulator, path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(answer))

    run = cli("apply", path)

    assert run.code == 1
    assert "apply cancelled; nothing was written" in run.err
    assert writes(sim) == []


def test_without_a_terminal_apply_refuses_unless_auto_approved(
    cli: Cli, sim: Simulator, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # piped: not a terminal

    run = cli("apply", path)

    assert run.code == 1
    assert "no terminal to ask on" in run.err
    assert "--auto-approve" in run.err
    assert "Apply these changes?" not in run.err
    assert writes(sim) == []
    assert "+ status" in run.out  # the plan is still shown, for the log

    assert cli("apply", path, "--auto-approve").code == 0
    assert len(writes(sim)) == 1


def test_with_standard_input_closed_apply_refuses_without_crashing(
    cli: Cli, sim: Simulator, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # as Python starts with fd 0 closed (`<&-`)

    run = cli("apply", path)

    assert run.code == 1
    assert "no terminal to ask on" in run.err
    assert "crashed" not in run.err
    assert writes(sim) == []
