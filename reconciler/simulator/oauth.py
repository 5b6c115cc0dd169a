"""The simulator's OAuth 2.0 token endpoint and its Bearer tokens.

Modelled on Sendcloud's Authentication document (``POST https://account.sendcloud.com/oauth2/
token``, an Ory Hydra server): the client id and secret (the integration's public and secret
key) come as HTTP Basic (or, as RFC 6749 section 2.3.1 also allows, as ``client_id`` /
``client_secret`` form fields), the form says ``grant_type=client_credentials`` and optionally
``scope=api``; the answer is ``{"access_token", "expires_in", "scope", "token_type": "bearer"}``
with ``Cache-Control: no-store``. Errors follow RFC 6749 section 5.2 (``{"error",
"error_description"}``), not JSON:API: that is what an OAuth2 server answers.

Tokens expire after `SimulatorConfig.token_lifetime` seconds of the simulator's clock (3,600 like
Sendcloud's; tests shorten it to exercise the client's refresh). The simulator keeps tokens in
memory only: they are secrets and never reach the state file.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from reconciler.simulator.simulator import Simulator

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path
_FORM = "application/x-www-form-urlencoded"


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth2"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _client_pair(request: Request, form: dict[str, str]) -> tuple[bytes, bytes] | None:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True)
        except (binascii.Error, ValueError):
            return None
        client_id, sep, secret = decoded.partition(b":")
        return (client_id, secret) if sep else None
    if "client_id" in form and "client_secret" in form:
        return form["client_id"].encode(), form["client_secret"].encode()
    return None


def routes(sim: Simulator) -> list[Route]:
    """``POST /oauth2/token`` (also with a trailing slash, as the OpenAPI's tokenUrl has it)."""

    async def token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != _FORM:
            return _oauth_error(400, "invalid_request", f"The request must be sent as {_FORM}.")
        form = dict(parse_qsl((await request.body()).decode("utf-8", errors="replace")))
        pair = _client_pair(request, form)
        creds = sim.credentials
        # Both halves compared, always, in constant time (no early exit revealing which).
        id_ok = pair is not None and hmac.compare_digest(pair[0], creds.public_key.encode())
        secret_ok = pair is not None and hmac.compare_digest(pair[1], creds.secret_key.encode())
        if not (id_ok and secret_ok):
            return _oauth_error(
                401,
                "invalid_client",
                "Client authentication failed (e.g., unknown client, no client authentication "
                "included, or unsupported authentication method).",
            )
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        scopes = form.get("scope", "api").split()
        if any(scope != "api" for scope in scopes):
            return _oauth_error(
                400, "invalid_scope", "The requested scope is invalid, unknown, or malformed."
            )
        lifetime = sim.config.token_lifetime
        access_token = sim.tokens.issue(lifetime)
        body = {
            "access_token": access_token,
            "expires_in": max(1, round(lifetime)),
            "scope": "api",
            "token_type": "bearer",
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    return [
        Route(TOKEN_PATH, token, methods=["POST"]),
        Route(f"{TOKEN_PATH}/", token, methods=["POST"]),
    ]
