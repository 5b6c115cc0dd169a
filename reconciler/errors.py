"""The one exception tree for expected failures.

Everything a user can cause or fix (a bad file, a refused request, a stale plan) is a
``ReconcilerError``; the CLI turns it into a message and exit code 1. Anything else is a bug and is
reported as a crash with the traceback written to a file.

    ReconcilerError
    ├── ConfigError            desired-state files are invalid (carries every Problem found)
    ├── CredentialsError       API key pair missing or unusable
    ├── ApiError               Sendcloud (or the simulator) refused a request or answered nonsense
    │   ├── AuthenticationError    401: the key pair is wrong
    │   └── IntegrationNotFound    404: no such PrestaShop V2 integration
    ├── TransportError         the API could not be reached, even after retries
    ├── PlanFileError          a saved plan cannot be read or does not fit the files
    ├── SnapshotError          a live-state snapshot cannot be read or written
    └── ApplyRefused           apply will not proceed (no terminal to ask, or the user said no)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, located as precisely as the YAML allows (1-based line, column)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class ReconcilerError(Exception):
    """An expected failure: its message is written for the user and says what to do next."""


class ConfigError(ReconcilerError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class CredentialsError(ReconcilerError):
    pass


class ApiError(ReconcilerError):
    """A JSON:API error answer, or an answer that does not follow the contract."""

    def __init__(
        self,
        message: str,
        *,
        request: str,
        http_status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        pointer: str | None = None,
        integration_id: int | None = None,
    ) -> None:
        self.request = request
        self.http_status = http_status
        self.code = code
        self.detail = detail
        self.pointer = pointer
        self.integration_id = integration_id
        super().__init__(message)


class AuthenticationError(ApiError):
    pass


class IntegrationNotFound(ApiError):
    pass


class TransportError(ReconcilerError):
    pass


class PlanFileError(ReconcilerError):
    pass


class SnapshotError(ReconcilerError):
    pass


class ApplyRefused(ReconcilerError):
    pass
