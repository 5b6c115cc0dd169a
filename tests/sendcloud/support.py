"""Constants and types shared by the client's tests."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.sendcloud.client import RetryPolicy, SendcloudClient

# Millisecond backoff within a few seconds: retries are exercised without slowing the suite.
FAST_RETRY = RetryPolicy(budget=3.0, initial=0.01, maximum=0.05, jitter=0.01)
SHORT_RETRY = RetryPolicy(budget=0.3, initial=0.01, maximum=0.05, jitter=0.01)
IID = 4711

ClientFactory = Callable[..., SendcloudClient]
