"""Handlers of the four /api/v3 endpoints, faithful to Sendcloud's documented behaviour.

Authentication, rate limits, latency, faults and the request log are handled around
these handlers by `reconciler.simulator.gate`; a handler only validates, reads or changes
the state, and answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reconciler.simulator import validation
from reconciler.simulator.errors import INTEGRATION_NOT_FOUND, JsonObject, error, errors_body
from reconciler.simulator.simulator import Simulator
from reconciler.simulator.state import IntegrationState, SimulatorState, StoredStatus

API_PREFIX = "/api/v3"
CONTEXT_KEY = "reconciler.simulator.context"
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class RequestContext:
    """What the gate learnt about a request, shared with the handler through the scope."""

    json_body: Any = None
    malformed_json: bool = False
    invalid_mapping: list[str] | None = None


def _context(request: Request) -> RequestContext:
    context = request.scope.get(CONTEXT_KEY)
    return context if isinstance(context, RequestContext) else RequestContext()


def _bad_request(exc: validation.Invalid) -> JSONResponse:
    return JSONResponse(errors_body(*exc.errors), status_code=400)


def _not_found() -> JSONResponse:
    return JSONResponse(INTEGRATION_NOT_FOUND, status_code=404)


def _body(request: Request) -> Any:
    context = _context(request)
    if context.malformed_json:
        detail = "JSON parse error"
        raise validation.Invalid([error(400, "invalid", "Malformed JSON", detail)])
    return context.json_body


def _status_json(status: StoredStatus, language: str) -> dict[str, Any]:
    return {
        "external_id": status.external_id,
        "status": status.name_in(language),
        "deleted_at": status.deleted_at,
        "translations": [
            {"status": name, "language": code} for code, name in status.translations.items()
        ],
    }


def _mapping_json(integration_id: int, integration: IntegrationState) -> JsonObject:
    return {
        "data": {
            "integration_id": integration_id,
            "mapping": [
                {
                    "status_category": category,
                    "external_id": external_id,
                    "is_valid": external_id is None or integration.is_live(external_id),
                }
                for category, external_id in integration.mapping.items()
            ],
        }
    }


def _lookup(sim: Simulator, state: SimulatorState, integration_id: int) -> IntegrationState | None:
    """The integration, registering it on first use unless the simulator is strict."""
    integration = state.integrations.get(integration_id)
    if integration is None and not sim.config.strict:
        integration = state.integrations[integration_id] = IntegrationState()
        if sim.on_new_integration is not None:
            sim.on_new_integration(integration_id)
    return integration


def _read(
    sim: Simulator, integration_id: int, render: Callable[[IntegrationState], JsonObject]
) -> Response:
    """Render an integration under the lock, or answer 404 for an unknown one when strict."""
    # Reads take the lock without persisting; only a first-use registration goes through a
    # transaction (which saves the new integration).
    with sim.store.reading() as state:
        integration = state.integrations.get(integration_id)
        if integration is not None:
            return JSONResponse(render(integration))
        if sim.config.strict:
            return _not_found()
    with sim.store.transaction() as state:
        integration = _lookup(sim, state, integration_id)
        return JSONResponse(render(integration)) if integration else _not_found()


def _write(
    sim: Simulator,
    request: Request,
    integration_id: int,
    change: Callable[[IntegrationState], None],
) -> Response:
    """Change an integration in one saved transaction (404 for an unknown one when strict) and
    tell the gate which mapping entries the change left invalid, for the request log."""
    with sim.store.transaction() as state:
        integration = _lookup(sim, state, integration_id)
        if integration is None:
            return _not_found()
        change(integration)
        _context(request).invalid_mapping = integration.invalid_categories()
    return JSONResponse(None)


def routes(sim: Simulator) -> list[Route]:
    """The /api/v3 routes, bound to `sim`."""

    async def list_statuses(request: Request) -> Response:
        try:
            integration_id = validation.query_integration_id(request.query_params)
            language = validation.query_language(request.query_params)
            show_deleted = validation.query_show_deleted(request.query_params)
        except validation.Invalid as exc:
            return _bad_request(exc)

        def render(integration: IntegrationState) -> JsonObject:
            data = [
                _status_json(status, language)
                for status in integration.statuses.values()
                if show_deleted or status.deleted_at is None
            ]
            return {"data": data}

        return _read(sim, integration_id, render)

    async def overwrite_statuses(request: Request) -> Response:
        try:
            integration_id, statuses = validation.post_statuses(
                _body(request), trim=sim.config.trim_whitespace
            )
        except validation.Invalid as exc:
            return _bad_request(exc)
        return _write(sim, request, integration_id, lambda it: it.overwrite_statuses(statuses))

    async def get_mapping(request: Request) -> Response:
        try:
            integration_id = validation.query_integration_id(request.query_params)
        except validation.Invalid as exc:
            return _bad_request(exc)
        return _read(sim, integration_id, lambda found: _mapping_json(integration_id, found))

    async def set_mapping(request: Request) -> Response:
        try:
            integration_id, mapping = validation.post_mapping(
                _body(request), trim=sim.config.trim_whitespace
            )
        except validation.Invalid as exc:
            return _bad_request(exc)

        def remap(found: IntegrationState) -> None:
            found.mapping = mapping

        return _write(sim, request, integration_id, remap)

    def by_method(get: Endpoint, post: Endpoint) -> Endpoint:
        # One route per path (not one per method) so a 405 lists every allowed method.
        async def endpoint(request: Request) -> Response:
            return await (post if request.method == "POST" else get)(request)

        return endpoint

    statuses = f"{API_PREFIX}/shop-order-statuses"
    mapping = f"{statuses}/mapping"
    both = ["GET", "POST"]
    list_or_overwrite = by_method(list_statuses, overwrite_statuses)
    read_or_set = by_method(get_mapping, set_mapping)
    # Both paths are served with and without a trailing slash (older clients add one), never
    # redirected: a redirect would answer with an http:// Location behind a TLS proxy, and a
    # POST body is not resent on a 307 by every client.
    return [
        Route(statuses, list_or_overwrite, methods=both),
        Route(f"{statuses}/", list_or_overwrite, methods=both),
        Route(mapping, read_or_set, methods=both),
        Route(f"{mapping}/", read_or_set, methods=both),
    ]
