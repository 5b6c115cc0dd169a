"""Fixtures for apply's tests: the simulator, the key pair in the environment, the CLI."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

import reconciler.sendcloud.connect
from reconciler.simulator.simulator import Simulator
from tests.apply.support import FAST_RETRY, Cli
from tests.support.simulator import BackgroundServer


@pytest.fixture
def sim(simulator_server: BackgroundServer) -> Simulator:
    return simulator_server.simulator


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, credentials: tuple[str, str]) -> None:
    """The test key pair in the environment; nothing that would send output elsewhere."""
    public_key, secret_key = credentials
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", public_key)
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", secret_key)
    for name in ("SENDCLOUD_API_URL", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(
    simulator_server: BackgroundServer, capsys: pytest.CaptureFixture[str], api_env: None
) -> Cli:
    return Cli(simulator_server.base_url, capsys)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI's client give up within about a second instead of two minutes.

    The CLI has no option for the retry budget (a user never needs one), so the tests that make
    a failure outlast the retries shrink it at the one place the CLI builds its client.
    """
    monkeypatch.setattr(
        reconciler.sendcloud.connect,
        "open_client",
        partial(reconciler.sendcloud.connect.open_client, retry=FAST_RETRY),
    )


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (so nothing lands in the checkout)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
