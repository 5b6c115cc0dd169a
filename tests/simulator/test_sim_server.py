"""`serve()` wiring (without blocking) and the background server's lifecycle."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
import uvicorn

from reconciler.simulator import server as server_module
from reconciler.simulator.server import serve
from reconciler.simulator.simulator import Simulator
from tests.support.simulator import BackgroundServer


def test_serve_runs_uvicorn_on_a_simulator_with_the_state_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built: list[Simulator] = []
    configs: list[uvicorn.Config] = []
    original = server_module.Simulator

    def spy(**kwargs: object) -> Simulator:
        sim = original(**kwargs)  # type: ignore[arg-type]
        built.append(sim)
        return sim

    apps: dict[int, Simulator] = {}

    def build_app_spy(sim: Simulator) -> object:
        app = object()
        apps[id(app)] = sim
        return app

    monkeypatch.setattr(server_module, "Simulator", spy)
    monkeypatch.setattr(server_module, "build_app", build_app_spy)
    bound: list[int] = []

    def run_spy(self: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
        assert sockets is not None, "serve binds the socket itself, before uvicorn runs"
        bound.append(sockets[0].getsockname()[1])
        configs.append(self.config)

    announced: list[int] = []
    monkeypatch.setattr(uvicorn.Server, "run", run_spy)
    state_file = tmp_path / "state.json"
    state_file.write_text('{"integrations": {"12": {}}}')

    serve(host="127.0.0.1", port=0, state_path=state_file, strict=True, announce=announced.append)

    [sim] = built
    [config] = configs
    assert bound == announced
    assert (config.host, config.port) == ("127.0.0.1", announced[0])
    assert apps[id(config.app)] is sim
    assert sim.config.strict is True
    assert set(sim.get_state()["integrations"]) == {"12"}


def test_background_server_binds_an_ephemeral_port_and_stops(
    credentials: tuple[str, str],
) -> None:
    with BackgroundServer(Simulator(credentials=credentials)) as server:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}/api/v3"
        assert httpx.get(f"{server.admin_url}/health").json() == {"ok": True}
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.admin_url}/health", timeout=1)
