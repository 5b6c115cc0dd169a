"""`reconciler sandbox show/set/edit`: the sandbox changed by hand, as in Sendcloud's panel.

Each test runs from an empty tmp_path, so the sandbox state is the CLI's default file there.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.config.loader import parse
from reconciler.sendcloud.options import DEFAULT_SANDBOX_STATE
from reconciler.simulator.simulator import Simulator
from tests.commands.simstate import integration
from tests.support.simulator import BackgroundServer

SHOP = integration(
    {"2": {"en-gb": "Payment accepted", "nl-nl": "Betaling aanvaard"}, "4": {"en-gb": "Shipped"}},
    {"READY_TO_SEND": "2", "IN_TRANSIT": "4"},
    deleted={"9": {"en-gb": "Old"}},
)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default sandbox state file, holding integration 5 (SHOP)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    state = tmp_path / DEFAULT_SANDBOX_STATE
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"integrations": {"5": SHOP}}), encoding="utf-8")
    return state


def stored(state: Path) -> dict[str, Any]:
    integrations: dict[str, Any] = json.loads(state.read_text())["integrations"]
    return integrations


def show(capsys: pytest.CaptureFixture[str], integration_id: str = "5") -> str:
    assert main(["sandbox", "show", integration_id]) == 0
    return capsys.readouterr().out


def test_show_prints_the_live_state_as_a_valid_desired_state_file(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = show(capsys)
    assert text.endswith(
        "integration_id: 5\n"
        "statuses:\n"
        '  "2":\n'
        "    en-gb: Payment accepted\n"
        "    nl-nl: Betaling aanvaard\n"
        '  "4":\n'
        "    en-gb: Shipped\n"
        "mapping:\n"
        '  READY_TO_SEND: "2"\n'
        '  IN_TRANSIT: "4"\n'
        "  DELIVERED: null\n"
        "  CANCEL: null\n"
    )
    assert "`reconciler sandbox set 5 FILE`" in text  # the header says how to change it
    state = parse(text, "shown.yaml").state
    assert state.statuses is not None
    assert set(state.statuses) == {"2", "4"}


def test_show_of_an_id_the_sandbox_does_not_hold_says_so(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "show", "6"]) == 0
    captured = capsys.readouterr()
    assert "integration_id: 6\nstatuses: {}\n" in captured.out
    assert "the sandbox (.reconciler/sandbox.json) has no integration 6 yet" in captured.err
    assert set(stored(sandbox)) == {"5"}  # looking does not create it


def test_set_changes_the_live_state_as_a_hand_edit_and_drift_sees_it(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("integrations").mkdir()
    Path("integrations/5.yaml").write_text(show(capsys), encoding="utf-8")
    edited = Path("edited.yaml")
    edited.write_text(
        show(capsys).replace("Shipped", "Sent").replace("  CANCEL: null", '  CANCEL: "2"'),
        encoding="utf-8",
    )
    assert main(["sandbox", "set", "5", "edited.yaml"]) == 0
    assert capsys.readouterr().out == (
        "Sandbox integration 5 (.reconciler/sandbox.json) set from edited.yaml: "
        "1 status edited, 1 mapping category changed.\n"
    )
    assert main(["sandbox", "show", "5"]) == 0
    assert capsys.readouterr().out.endswith(edited.read_text().split("integration_id:")[1])
    # No journal (the state's lock file, from the concurrent-sandbox locking, aside).
    names = sorted(p.name for p in sandbox.parent.iterdir() if not p.name.endswith(".lock"))
    assert names == ["sandbox.json"]
    assert main(["--sandbox", "drift", "integrations"]) == 2
    out = capsys.readouterr().out
    assert '~ CANCEL: "2" → (unmapped)' in out


def test_set_deletes_left_out_statuses_softly_and_keeps_an_unmanaged_mapping(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("only.yaml").write_text(
        "integration_id: 5\nstatuses:\n  '9':\n    en-gb: Back again\n", encoding="utf-8"
    )
    assert main(["sandbox", "set", "5", "only.yaml"]) == 0
    assert "2 statuses deleted, 1 status added" in capsys.readouterr().out
    after = stored(sandbox)["5"]
    live = {s["external_id"]: s["deleted_at"] for s in after["statuses"]}
    assert live["9"] is None  # revived, as re-posting does
    assert live["2"] is not None
    assert live["4"] is not None
    assert after["mapping"]["READY_TO_SEND"] == "2"  # the file does not manage the mapping
    text = show(capsys)
    assert "READY_TO_SEND: null  # live mapping pointed at status '2', which was deleted" in text


def test_set_of_a_file_already_live_changes_nothing(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("same.yaml").write_text(show(capsys), encoding="utf-8")
    before = sandbox.read_text()
    assert main(["sandbox", "set", "5", "same.yaml"]) == 0
    assert capsys.readouterr().out == ("Sandbox integration 5 already holds what same.yaml says.\n")
    assert json.loads(sandbox.read_text()) == json.loads(before)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "integration_id: 5\nstatuses:\n  '2':\n    xx-yy: Paid\n",
            "bad.yaml:4:5: unknown language 'xx-yy' in status '2'",
        ),
        ("integration_id: 6\nstatuses: {}\n", "bad.yaml describes integration 6, not 5"),
    ],
)
def test_set_refuses_an_invalid_file_and_changes_nothing(
    sandbox: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    before = sandbox.read_bytes()
    Path("bad.yaml").write_text(content, encoding="utf-8")
    assert main(["sandbox", "set", "5", "bad.yaml"]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert sandbox.read_bytes() == before


def editor(monkeypatch: pytest.MonkeyPatch, python: str) -> None:
    """$EDITOR: a Python one-liner given the file name as its last argument."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} -c {shlex.quote(python)}")


EDIT = (
    "import sys,pathlib;p=pathlib.Path(sys.argv[1]);p.write_text(p.read_text().replace({!r},{!r}))"
)


def test_edit_saves_the_edited_yaml_with_set(
    sandbox: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(monkeypatch, EDIT.format("Shipped", "Handed to the carrier"))
    assert main(["sandbox", "edit", "5"]) == 0
    assert capsys.readouterr().out == (
        "Sandbox integration 5 (.reconciler/sandbox.json) set from your edit: 1 status edited.\n"
    )
    assert "en-gb: Handed to the carrier" in show(capsys)


def test_edit_without_a_change_writes_nothing(
    sandbox: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(monkeypatch, "pass")
    before = sandbox.read_bytes()
    assert main(["sandbox", "edit", "5"]) == 0
    assert capsys.readouterr().out == "No edit made; sandbox integration 5 is unchanged.\n"
    assert sandbox.read_bytes() == before


def test_an_invalid_edit_is_reported_located_and_changes_nothing(
    sandbox: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(monkeypatch, EDIT.format('IN_TRANSIT: "4"', 'IN_TRANSIT: "44"'))
    before = sandbox.read_bytes()
    assert main(["sandbox", "edit", "5"]) == 1
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    kept = first.split(":")[0]
    assert kept.endswith(".yaml")
    assert "reconciler-sandbox-5-" in kept
    assert first.endswith("mapping IN_TRANSIT points at status '44', which is not in statuses "
                          "(known: '2', '4'); add the status or change the mapping")  # fmt: skip
    assert f"Your edit is kept in {kept}" in err
    assert 'IN_TRANSIT: "44"' in Path(kept).read_text()
    assert sandbox.read_bytes() == before
    Path(kept).unlink()


def readme_sandbox_lines(prefix: str) -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## The sandbox by hand", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith(prefix)]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readmes_curl_example_works_against_a_served_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's curl lines, verbatim but for the port, then its drift line.

    The served state is the one the quick start leaves, as the README assumes.
    """
    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    state = tmp_path / "sandbox.json"
    for examples in ("examples/sandbox/", "examples/integrations/"):
        quick_start = ["--sandbox", "--sandbox-state", str(state), "apply", "--auto-approve"]
        assert main([*quick_start, examples]) == 0
    capsys.readouterr()
    with BackgroundServer(Simulator(state_path=state)) as server:
        port = f"127.0.0.1:{server.port}"
        get, post = (line.replace("127.0.0.1:8080", port) for line in readme_sandbox_lines("curl"))
        answer = subprocess.run(shlex.split(get), capture_output=True, check=True, text=True)
        assert len(json.loads(answer.stdout)["data"]) == 13
        subprocess.run([*shlex.split(post), "--fail"], capture_output=True, check=True)
        assert stored(state)["23452345"]["mapping"]["DELIVERED"] == "5"

        (export,) = readme_sandbox_lines("export SENDCLOUD_PUBLIC_KEY=sandbox")
        for assignment in export.split()[1:]:
            monkeypatch.setenv(*assignment.split("=", 1))
        (drift,) = readme_sandbox_lines("reconciler --api-url")
        args = shlex.split(drift.replace("127.0.0.1:8080", port), comments=True)[1:]
        assert main(args) == 2
    out = capsys.readouterr().out
    # The README's comment names what drifted: CANCEL, and nothing else.
    assert '~ CANCEL: (unmapped) → "6"' in out
    assert "READY_TO_SEND" not in out
    assert drift.endswith("# exit 2: CANCEL drifted")


def test_serve_says_which_key_pair_it_accepts_without_showing_a_users_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reconciler.commands.sandbox import accepted_key_pair

    monkeypatch.delenv("SENDCLOUD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY", raising=False)
    assert accepted_key_pair() == (
        "It accepts the key pair sandbox-public-key / sandbox-secret-key."
    )
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", "mine")
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", "very-secret")
    said = accepted_key_pair()
    assert said == "It accepts the key pair in SENDCLOUD_PUBLIC_KEY and SENDCLOUD_SECRET_KEY."


def test_set_into_a_state_that_cannot_be_written_says_so(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("same.yaml").write_text(show(capsys), encoding="utf-8")
    assert main(["sandbox", "set", "5", "same.yaml", "--state", "same.yaml/state.json"]) == 1
    err = capsys.readouterr().err
    # Refused when locked ("cannot be used") or written ("cannot be written"): one line.
    assert err.startswith("Error: the sandbox state same.yaml/state.json cannot be ")
    assert "nothing was changed" in err


def test_an_editor_that_fails_changes_nothing(
    sandbox: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(monkeypatch, "raise SystemExit(3)")
    before = sandbox.read_bytes()
    assert main(["sandbox", "edit", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ")
    assert "exited with 3; nothing was changed (the file is kept: " in err
    assert sandbox.read_bytes() == before
    Path(err.rsplit("kept: ", 1)[1].rstrip(").\n")).unlink()
