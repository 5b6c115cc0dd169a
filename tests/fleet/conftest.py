"""Two Sendcloud accounts as two simulators on loopback, each accepting only its own key pair.

`fleet` writes a project file mapping ``integrations/nl/**`` to account ``agency-nl`` and
``integrations/be/**`` to ``agency-be`` (each with its simulator's URL), puts both key pairs in
the environment under the names the project file gives, and runs from an empty ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.fleet.support import BE_KEYS, NL_KEYS, Fleet
from tests.support.simulator import BackgroundServer


@pytest.fixture(scope="session")
def _nl_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Simulator(credentials=NL_KEYS)) as server:
        yield server


@pytest.fixture(scope="session")
def _be_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Simulator(credentials=BE_KEYS)) as server:
        yield server


@pytest.fixture
def fleet(
    _nl_server: BackgroundServer,
    _be_server: BackgroundServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Fleet]:
    servers = (_nl_server, _be_server)
    for server in servers:
        server.simulator.reset()
    monkeypatch.chdir(tmp_path)
    for name, value in (
        ("NL_SENDCLOUD_PUBLIC_KEY", NL_KEYS[0]),
        ("NL_SENDCLOUD_SECRET_KEY", NL_KEYS[1]),
        ("BE_SENDCLOUD_PUBLIC_KEY", BE_KEYS[0]),
        ("BE_SENDCLOUD_SECRET_KEY", BE_KEYS[1]),
    ):
        monkeypatch.setenv(name, value)
    for name in (
        "SENDCLOUD_PUBLIC_KEY",
        "SENDCLOUD_SECRET_KEY",
        "SENDCLOUD_API_URL",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
    ):
        monkeypatch.delenv(name, raising=False)
    fleet = Fleet(tmp_path, _nl_server, _be_server, capsys)
    fleet.write_project()
    yield fleet
    for server in servers:
        server.wait_idle()
        server.simulator.reset()
