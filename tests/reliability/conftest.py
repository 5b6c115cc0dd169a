"""Fixtures for the reliability tests: the CLI run in-process against the loopback simulator.

Test modules opt in with ``pytestmark = pytest.mark.usefixtures("isolated", "fast_client")``
(this directory also holds tests that set themselves up differently). Then every test runs in its
own empty working directory, with the test key pair in the environment,
outside GitHub Actions, and with crash files written into ``crash_dir`` so a test can prove that
none was written (or inspect the one that was). The client is tuned fast (short timeout, a
sub-second retry budget) so that failure paths cost milliseconds, not minutes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.sendcloud import connect
from reconciler.sendcloud.client import RetryPolicy, SendcloudClient
from reconciler.sendcloud.options import GlobalOptions
from reconciler.simulator.simulator import Simulator
from tests.support.simulator import BackgroundServer

FAST_RETRY = RetryPolicy(budget=0.3, initial=0.01, maximum=0.02, jitter=0.0)
FAST_TIMEOUT = 0.5
IID = 7

VALID = """\
integration_id: 7
statuses:
  "2":
    en-gb: Payment accepted
  "4":
    en-gb: Shipped
mapping:
  READY_TO_SEND: "2"
  IN_TRANSIT: "4"
  DELIVERED: null
  CANCEL: null
"""


@dataclass(frozen=True)
class Outcome:
    """What one CLI run produced."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


Run = Callable[..., Outcome]


@pytest.fixture
def crash_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crashes")


@pytest.fixture
def isolated(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    crash_dir: Path,
    credentials: tuple[str, str],
) -> None:
    monkeypatch.chdir(tmp_path)
    public_key, secret_key = credentials
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", public_key)
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", secret_key)
    for name in ("SENDCLOUD_API_URL", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    # cli._report_crash writes with tempfile.mkstemp(): send crash files where tests look.
    monkeypatch.setattr(tempfile, "tempdir", str(crash_dir))


@pytest.fixture
def fast_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands build their client through connect.open_client: make it fail fast."""
    original = connect.open_client

    def fast(
        options: GlobalOptions, env: Any, *, retry: Any = None, timeout: float = 30.0
    ) -> SendcloudClient:
        return original(options, env, retry=FAST_RETRY, timeout=min(timeout, FAST_TIMEOUT))

    monkeypatch.setattr(connect, "open_client", fast)


@pytest.fixture
def sim(simulator_server: BackgroundServer) -> Simulator:
    return simulator_server.simulator


@pytest.fixture
def api_url(simulator_server: BackgroundServer) -> str:
    return simulator_server.base_url


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``reconciler ARGS...`` in-process; returns the exit code and captured output."""

    def run(*args: str | Path) -> Outcome:
        capsys.readouterr()  # drop anything printed before this run
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Outcome(code, out, err)

    return run


def assert_no_crash(outcome: Outcome, crash_dir: Path) -> None:
    """Exit 1 with a message for the user: no traceback, no crash report, no crash file."""
    assert "Traceback" not in outcome.text
    assert "reconciler crashed" not in outcome.text
    assert "reconciler-crash-" not in outcome.text
    assert list(crash_dir.iterdir()) == []
