"""Admin routes under ``/_simulator/``: drive a simulator that runs in another process.

They need no authentication (the simulator is for loopback tests) and live outside
``/api/v3``, so no client of the real API can reach them. Bodies and answers are JSON;
a malformed body answers 400 ``{"error": "..."}``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.jsondoc import load_json
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from reconciler.simulator.state import SimulatorState

ADMIN_PREFIX = "/_simulator"


class _BadAdminRequest(Exception):
    pass


async def _json(request: Request) -> Any:
    try:
        return load_json(await request.body())
    except ValueError as exc:
        raise _BadAdminRequest(f"body is not JSON: {exc}") from exc


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


def routes(sim: Simulator) -> list[Route]:
    """The admin routes, bound to `sim`."""

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def get_state(request: Request) -> Response:
        return JSONResponse(sim.get_state())

    async def put_state(request: Request) -> Response:
        try:
            sim.replace_state(SimulatorState.from_json(await _json(request)))
        except (_BadAdminRequest, ValueError) as exc:
            return _bad(str(exc))
        return JSONResponse(sim.get_state())

    async def reset(request: Request) -> Response:
        sim.reset()
        return JSONResponse({"ok": True})

    async def get_faults(request: Request) -> Response:
        return JSONResponse({"faults": [fault.to_json() for fault in sim.faults.pending()]})

    async def add_faults(request: Request) -> Response:
        # One fault object, or a list of them, queued in order.
        try:
            data = await _json(request)
            faults = [
                Fault.from_json(item) for item in (data if isinstance(data, list) else [data])
            ]
        except (_BadAdminRequest, ValueError) as exc:
            return _bad(str(exc))
        for fault in faults:
            sim.inject(fault)
        return JSONResponse({"faults": [fault.to_json() for fault in faults]}, status_code=201)

    async def clear_faults(request: Request) -> Response:
        sim.faults.clear()
        return JSONResponse({"ok": True})

    async def get_log(request: Request) -> Response:
        return JSONResponse({"entries": [entry.to_json() for entry in sim.log.entries()]})

    async def clear_log(request: Request) -> Response:
        sim.log.clear()
        return JSONResponse({"ok": True})

    async def get_config(request: Request) -> Response:
        return JSONResponse(sim.config.to_json())

    async def put_config(request: Request) -> Response:
        try:
            data = await _json(request)
            if not isinstance(data, dict):
                raise ValueError("config must be a JSON object")
            sim.apply_config(sim.config.updated(data))
        except (_BadAdminRequest, ValueError) as exc:
            return _bad(str(exc))
        return JSONResponse(sim.config.to_json())

    prefix = ADMIN_PREFIX
    return [
        Route(f"{prefix}/health", health, methods=["GET"]),
        Route(f"{prefix}/state", get_state, methods=["GET"]),
        Route(f"{prefix}/state", put_state, methods=["PUT"]),
        Route(f"{prefix}/reset", reset, methods=["POST"]),
        Route(f"{prefix}/faults", get_faults, methods=["GET"]),
        Route(f"{prefix}/faults", add_faults, methods=["POST"]),
        Route(f"{prefix}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{prefix}/log", get_log, methods=["GET"]),
        Route(f"{prefix}/log", clear_log, methods=["DELETE"]),
        Route(f"{prefix}/config", get_config, methods=["GET"]),
        Route(f"{prefix}/config", put_config, methods=["PUT"]),
    ]
