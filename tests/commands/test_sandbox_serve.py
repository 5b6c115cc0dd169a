"""`reconciler sandbox serve`: it binds first, then says where it listens; a bind it cannot make
is one line naming the flag that fixes it (exit 1), never a crash (uvicorn's own exit 3)."""

from __future__ import annotations

import errno
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.cli import main


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port some other program is listening on."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        yield int(taken.getsockname()[1])


def serve(capsys: pytest.CaptureFixture[str], tmp_path: Path, *flags: str) -> tuple[int, str]:
    state = tmp_path / "sandbox.json"
    code = main(["sandbox", "serve", "--state", str(state), *flags])
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


def assert_one_line_error(err: str) -> None:
    assert err.startswith("Error: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Sendcloud simulator on" not in err, "the banner must wait for the bind"
    assert "Traceback" not in err
    assert "crashed" not in err


def test_a_busy_port_is_one_line_naming_the_port_and_the_flag(
    busy_port: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = serve(capsys, tmp_path, "--port", str(busy_port))

    assert code == 1
    assert_one_line_error(err)
    assert f"port {busy_port} is already in use" in err
    assert "--port" in err


def test_a_host_that_does_not_resolve_is_one_line_naming_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = serve(capsys, tmp_path, "--host", "no-such-host.invalid", "--port", "0")

    assert code == 1
    assert_one_line_error(err)
    assert "--host 'no-such-host.invalid'" in err


def test_an_address_not_of_this_machine_is_one_line_naming_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
    code, err = serve(capsys, tmp_path, "--host", "192.0.2.1", "--port", "0")

    assert code == 1
    assert_one_line_error(err)
    assert "192.0.2.1 is not an address of this machine" in err
    assert "--host" in err


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may listen on any port"
)
def test_a_privileged_port_is_one_line_naming_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = serve(capsys, tmp_path, "--port", "1")

    assert code == 1
    assert_one_line_error(err)
    assert "permission denied to listen on port 1" in err


def test_permission_denied_is_worded_with_the_flag_that_fixes_it() -> None:
    # The CLI test above cannot run as root; this is the line it would print.
    from reconciler.commands.sandbox import cannot_listen

    said = cannot_listen("127.0.0.1", 80, PermissionError(errno.EACCES, "Permission denied"))

    assert said == (
        "permission denied to listen on port 80 (127.0.0.1:80): ports below 1024 need "
        "privileges; pick another with --port, e.g. --port 8080"
    )


def test_a_state_path_under_a_file_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "plain").write_text("not a directory", encoding="utf-8")
    code = main(["sandbox", "serve", "--port", "0", "--state", str(tmp_path / "plain" / "s.json")])
    err = capsys.readouterr().err

    assert code == 1
    assert_one_line_error(err)
    assert "cannot be used" in err
    assert "--state" in err


def test_the_banner_comes_after_the_bind_and_names_the_port_bound(tmp_path: Path) -> None:
    """With --port 0 only a bound socket knows its port: the banner naming it proves the order."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDCLOUD_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0", "--state",
         str(tmp_path / "sandbox.json")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, env=env,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        found = re.search(r"Sendcloud simulator on http://127\.0\.0\.1:(\d+)/api/v3", banner)
        assert found, banner
        port = int(found[1])
        assert port != 0
        # Bound before the banner: the port answers at once, no waiting for start-up.
        answer = httpx.get(f"http://127.0.0.1:{port}/_simulator/health", timeout=10)
        assert answer.json() == {"ok": True}
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
