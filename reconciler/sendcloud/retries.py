"""Repeating one request until it succeeds, fails for good, or the retries are spent.

Backoff is tenacity's exponential-with-jitter wait; a Retry-After from the server replaces it.
How many attempts a failure gets, and the line announcing each wait, are
`reconciler.sendcloud.transport`'s (`stop_retrying`, `retry_notice`). All four shop-order-status
calls are safe to repeat (reads, and writes that overwrite completely), and so is the OAuth2
token request, so every `Retryable` failure is retried, writes included.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_exponential_jitter,
)

from reconciler.errors import ApiError, TransportError
from reconciler.sendcloud.failures import Call, exhausted
from reconciler.sendcloud.pacing import RetryPolicy
from reconciler.sendcloud.transport import Retryable, retry_notice, stop_retrying

__all__ = ["Retrier"]

_T = TypeVar("_T")


class Retrier:
    """Runs attempts of one call under a `RetryPolicy`, each with its own deadline (seconds).

    `timeout` is the per-read timeout and `deadline` the most one attempt may take in all;
    `on_retry` is called before each attempt beyond the first, `notify` receives the line
    announcing each wait (the CLI prints it on stderr).
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        timeout: float,
        deadline: float,
        on_retry: Callable[[], None] = lambda: None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.policy = policy
        self.timeout = timeout
        self.deadline = deadline
        self._on_retry = on_retry
        self._notify = notify
        self._backoff = wait_exponential_jitter(
            multiplier=policy.initial, max=policy.maximum, jitter=policy.jitter
        )

    async def run(self, call: Call, attempt: Callable[[float], Awaitable[_T]]) -> _T:
        """What a successful ``attempt(deadline)`` returns (an answer's body, a token).

        Raises whatever `attempt` raises other than `Retryable` at once, and `ApiError` (an
        HTTP failure) or `TransportError` (no answer) once the retries are spent.
        """
        attempts = 0
        started = time.monotonic()
        retrying = AsyncRetrying(
            stop=lambda state: stop_retrying(state, self.policy),
            wait=self._wait,
            retry=retry_if_exception_type(Retryable),
            before_sleep=lambda state: self._announce(call, state),
            reraise=True,
        )
        try:
            async for state in retrying:
                with state:
                    attempts += 1
                    deadline = self.deadline
                    if attempts > 1:
                        self._on_retry()
                        # The budget covers attempts too: a retry gets only the time that is
                        # left, though at least one read timeout (cut shorter, it might never
                        # be sent).
                        left = self.policy.budget - (time.monotonic() - started)
                        deadline = min(self.deadline, max(left, self.timeout))
                    return await attempt(deadline)
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

    def _announce(self, call: Call, state: RetryCallState) -> None:
        # Say what failed and how long the tool waits, so a wait is never silent.
        notice = retry_notice(state, self.policy, call.line)
        if self._notify is not None and notice is not None:
            self._notify(notice)
