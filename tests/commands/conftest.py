"""Fixtures for the command tests that talk to the real HTTP simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.simulator import BackgroundServer


@pytest.fixture
def live_api(
    simulator_server: BackgroundServer,
    credentials: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> BackgroundServer:
    """The simulator with the test key pair in the environment, run from an empty tmp_path."""
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", credentials[0])
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", credentials[1])
    monkeypatch.delenv("SENDCLOUD_API_URL", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    return simulator_server
