"""Assemble the simulator's ASGI application: API routes behind the gate, admin routes."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.simulator import admin, api, oauth
from reconciler.simulator.errors import error, errors_body
from reconciler.simulator.gate import ApiGate
from reconciler.simulator.simulator import Simulator


async def _http_error(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods answer in the API's JSON:API error format.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = "not_found" if status == 404 else "invalid"
    detail = exc.detail if isinstance(exc, HTTPException) else "Server error"
    headers = exc.headers if isinstance(exc, HTTPException) else None  # e.g. Allow on a 405
    body = errors_body(error(status, code, str(detail)))
    return JSONResponse(body, status_code=status, headers=headers)


def build_app(sim: Simulator) -> Starlette:
    """The ASGI app serving ``/api/v3/...`` (gated), ``/oauth2/token`` and ``/_simulator/...``."""
    app = Starlette(
        routes=[*api.routes(sim), *oauth.routes(sim), *admin.routes(sim)],
        middleware=[Middleware(ApiGate, sim=sim)],
        exception_handlers={404: _http_error, 405: _http_error},
    )
    # An unknown path with or without a slash is a 404, never a 307 to an http:// URL.
    app.router.redirect_slashes = False
    return app
