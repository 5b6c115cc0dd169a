"""A local stand-in for Sendcloud's v3 shop-order-status API, for tests and ``--sandbox``.

Importing this package is cheap (no starlette, no uvicorn); import the submodules you need:

- `simulator.Simulator`: state + knobs + request log; `app.build_app(sim)` is its ASGI app.
- `transport.in_process_transport(sim)`: an httpx transport running the app in-process.
- `server.serve(...)`: serve over HTTP (``reconciler sandbox serve``). Tests run it in a thread
  with ``tests.support.simulator.BackgroundServer``.
- `faults.Fault`: "fail the next N calls of endpoint E" (status / drop / delay).
- `credentials`: the sandbox key pair and `default_credentials()`.

API (``/api/v3``, HTTP Basic or Bearer auth, rate-limited per credential; both paths also
answer with a trailing slash, never with a redirect; a write that is not JSON gets 415)::

    GET  /shop-order-statuses?integration_id=N[&language=L][&show_deleted=true]
    POST /shop-order-statuses                   full overwrite, absent statuses soft-deleted
    GET  /shop-order-statuses/mapping?integration_id=N
    POST /shop-order-statuses/mapping

OAuth2 (`oauth`, RFC 6749 client credentials; tokens in memory only, see `tokens`)::

    POST /oauth2/token   Basic client id:secret, grant_type=client_credentials[&scope=api]
                         -> {"access_token", "expires_in", "scope", "token_type": "bearer"}

Admin endpoints (``/_simulator``, JSON, no auth, loopback use only)::

    GET    /_simulator/health   {"ok": true}
    GET    /_simulator/state    the whole state {"integrations": {"<id>": {"statuses", "mapping"}}}
    PUT    /_simulator/state    replace the whole state (same shape)
    POST   /_simulator/reset    empty state, no faults, empty log, initial config
    GET    /_simulator/faults   {"faults": [pending faults]}
    POST   /_simulator/faults   queue a fault object or a list of them, e.g.
                                {"endpoint": "POST /shop-order-statuses", "action": "status",
                                 "status": 502, "times": 2, "after_commit": true,
                                 "body": "<html>...</html>", "retry_after": "1",
                                 "headers": {"Link": "<...>; rel=\"next\""}}
    DELETE /_simulator/faults   drop all pending faults
    GET    /_simulator/log      {"entries": [{"method", "path", "integration_id", "status",
                                 "timestamp", "body", "invalid_mapping", "fault", "query"}]}
    DELETE /_simulator/log      clear the request log
    GET    /_simulator/config   {"latency", "strict", "require_oauth2", "token_lifetime",
                                 "trim_whitespace", "rate_limits": {"enabled", "reads",
                                 "writes", "retry_after", "concurrent_writes"}} with rules as
                                 [count, seconds]
    PUT    /_simulator/config   change some of those keys (a rate-limit change resets windows)
"""

from __future__ import annotations

from reconciler.simulator.credentials import (
    SANDBOX_PUBLIC_KEY,
    SANDBOX_SECRET_KEY,
    Credentials,
    default_credentials,
)

__all__ = ["SANDBOX_PUBLIC_KEY", "SANDBOX_SECRET_KEY", "Credentials", "default_credentials"]
