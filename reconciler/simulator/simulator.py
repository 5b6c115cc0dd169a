"""`Simulator`: the state, the knobs and the request log behind the ASGI app.

Everything a test or a benchmark can turn is here, with a Python API; the admin routes
(``/_simulator/...``) expose the same operations over HTTP for a simulator in another
process. The ASGI app that serves a `Simulator` is built on top of it by
``reconciler.simulator.app.build_app``; this module knows nothing of HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.simulator.credentials import Credentials, default_credentials
from reconciler.simulator.faults import Fault, FaultInjector
from reconciler.simulator.ratelimit import RateLimiter, RateLimits
from reconciler.simulator.requestlog import RequestLog
from reconciler.simulator.state import SimulatorState, StateStore
from reconciler.simulator.tokens import TokenIssuer

_FLAGS = ("strict", "require_oauth2", "trim_whitespace")


@dataclass(frozen=True)
class SimulatorConfig:
    """The tunable behaviour.

    `latency`: seconds added to every API answer. `strict`: unknown integrations answer 404, as
    on Sendcloud (otherwise they are created empty on first use). `require_oauth2`: Basic auth
    is refused, like an integration set to "Use OAuth2 authentication". `token_lifetime`:
    seconds an OAuth2 token lives (Sendcloud: 3,600). `trim_whitespace`: surrounding
    whitespace of posted text fields is dropped on write, as a DRF-style API's CharField does.
    """

    latency: float = 0.0
    rate_limits: RateLimits = field(default_factory=RateLimits)
    strict: bool = False
    require_oauth2: bool = False
    token_lifetime: int = 3600
    trim_whitespace: bool = True

    def to_json(self) -> dict[str, Any]:
        """JSON form as served by ``GET /_simulator/config``."""
        return {
            "latency": self.latency,
            "strict": self.strict,
            "require_oauth2": self.require_oauth2,
            "token_lifetime": self.token_lifetime,
            "trim_whitespace": self.trim_whitespace,
            "rate_limits": self.rate_limits.to_json(),
        }

    def updated(self, data: dict[str, Any]) -> SimulatorConfig:
        """A copy with the keys present in `data` changed; raise `ValueError` if malformed."""
        unknown = set(data) - {"latency", "rate_limits", "token_lifetime", *_FLAGS}
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(sorted(unknown))}")
        try:
            latency = float(data.get("latency", self.latency))
            lifetime = int(data.get("token_lifetime", self.token_lifetime))
            limits = self.rate_limits
            if data.get("rate_limits") is not None:
                limits = RateLimits.from_json(data["rate_limits"], self.rate_limits)
        except (TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"malformed config: {exc}") from exc
        if latency < 0:
            raise ValueError("latency must not be negative")
        if lifetime < 1:
            raise ValueError("token_lifetime must be at least 1 second")
        flags = {name: bool(data.get(name, getattr(self, name))) for name in _FLAGS}
        return replace(self, latency=latency, token_lifetime=lifetime, rate_limits=limits, **flags)


class Simulator:
    """A stand-in for Sendcloud's shop-order-status API that accepts exactly one key pair.

    `state_path` makes the state persistent (loaded now, saved after every change); without
    it the state lives in memory. `clock` feeds the rate limiter and the log timestamps.
    """

    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        state_path: Path | str | None = None,
        strict: bool = False,
        latency: float = 0.0,
        rate_limits: RateLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
        require_oauth2: bool = False,
        token_lifetime: int = 3600,
        trim_whitespace: bool = True,
        on_new_integration: Callable[[int], None] | None = None,
    ) -> None:
        self.credentials = Credentials(*(credentials or default_credentials()))
        self.store = StateStore(Path(state_path) if state_path is not None else None)
        self.faults = FaultInjector()
        self.log = RequestLog()
        self.clock = clock
        self.tokens = TokenIssuer(clock)
        # Told the id of each integration created on first use (the sandbox announces it).
        self.on_new_integration = on_new_integration
        self._initial_config = SimulatorConfig(
            latency,
            rate_limits or RateLimits(),
            strict,
            require_oauth2=require_oauth2,
            token_lifetime=token_lifetime,
            trim_whitespace=trim_whitespace,
        )
        self.config = self._initial_config
        self.limiter = RateLimiter(self.config.rate_limits, clock)

    def configure(
        self,
        *,
        latency: float | None = None,
        rate_limits: RateLimits | None = None,
        strict: bool | None = None,
        **knobs: Any,
    ) -> SimulatorConfig:
        """Change some knobs; a rate-limit change also forgets the request history.

        `knobs` are further `SimulatorConfig` fields by name (require_oauth2=True, ...).
        """
        config = self.updated_config(knobs) if knobs else self.config
        if latency is not None:
            config = replace(config, latency=latency)
        if strict is not None:
            config = replace(config, strict=strict)
        if rate_limits is not None:
            config = replace(config, rate_limits=rate_limits)
        self.apply_config(config)
        return config

    def updated_config(self, knobs: dict[str, Any]) -> SimulatorConfig:
        """The current configuration with `knobs` (field name -> value) changed."""
        return self.config.updated(knobs)

    def apply_config(self, config: SimulatorConfig) -> None:
        """Replace the whole configuration."""
        self.config = config
        self.limiter.configure(config.rate_limits)

    def inject(self, fault: Fault) -> Fault:
        """Queue a fault (see `reconciler.simulator.faults`)."""
        return self.faults.add(fault)

    def get_state(self) -> dict[str, Any]:
        """The whole state in its JSON form (a copy)."""
        return self.store.snapshot()

    def replace_state(self, state: SimulatorState | dict[str, Any]) -> None:
        """Replace the whole state, e.g. to seed live statuses before a test."""
        if not isinstance(state, SimulatorState):
            state = SimulatorState.from_json(state)
        self.store.replace(state)

    def reset(self) -> None:
        """Empty state, no faults, empty log, the constructor's configuration."""
        self.store.replace(SimulatorState())
        self.faults.clear()
        self.log.clear()
        self.tokens.clear()
        self.apply_config(self._initial_config)
