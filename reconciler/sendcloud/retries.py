"""Repeating one request until it succeeds, fails for good, or the retry budget is spent.

Backoff is tenacity's exponential-with-jitter wait; a Retry-After from the server replaces it.
All four shop-order-status calls are safe to repeat (reads, and writes that overwrite
completely), so every `Retryable` failure is retried, writes included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_before_delay,
    wait_exponential_jitter,
)

from reconciler.errors import ApiError, TransportError
from reconciler.sendcloud.failures import Call, Retryable, exhausted
from reconciler.sendcloud.pacing import RetryPolicy

__all__ = ["Retrier"]

_T = TypeVar("_T")


class Retrier:
    """Runs attempts of one call under a `RetryPolicy` (seconds), counting the repeats."""

    def __init__(self, policy: RetryPolicy, *, on_retry: Callable[[], None] = lambda: None) -> None:
        self.policy = policy
        self._on_retry = on_retry  # called before each attempt beyond the first
        self._backoff = wait_exponential_jitter(
            multiplier=policy.initial, max=policy.maximum, jitter=policy.jitter
        )

    async def run(self, call: Call, attempt: Callable[[], Awaitable[_T]]) -> _T:
        """What a successful attempt returns (an answer's body, a token).

        Raises whatever `attempt` raises other than `Retryable` at once, and `ApiError` (an
        HTTP failure) or `TransportError` (no answer) once the budget is spent.
        """
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_before_delay(self.policy.budget),
            wait=self._wait,
            retry=retry_if_exception_type(Retryable),
            reraise=True,
        )
        try:
            async for state in retrying:
                with state:
                    attempts += 1
                    if attempts > 1:
                        self._on_retry()
                    return await attempt()
        except Retryable as last:
            raise self._give_up(call, attempts, last) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _give_up(self, call: Call, attempts: int, last: Retryable) -> ApiError | TransportError:
        return exhausted(call, attempts, last, self.policy.budget)

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, Retryable) and failure.retry_after is not None:
            return failure.retry_after
        return self._backoff(state)
