"""The one exception tree for expected failures, and the exit codes the CLI maps outcomes to.

Everything a user can cause or fix (a bad file, a refused request, a stale plan) is a
``ReconcilerError``; the CLI turns it into a message and ``ExitCode.ERROR``. Anything else is a bug
and is reported as a crash (``ExitCode.CRASH``) with the traceback written to a file.

    ReconcilerError
    ├── ConfigError            desired-state files are invalid (carries every Problem found)
    ├── CredentialsError       API key pair missing or unusable
    ├── ApiError               Sendcloud (or the simulator) refused a request or answered nonsense
    │   ├── AuthenticationError    401: the key pair is wrong
    │   └── IntegrationNotFound    404: no such PrestaShop V2 integration
    ├── TransportError         the API could not be reached, even after retries
    ├── PlanFileError          a saved plan cannot be read or does not fit the files
    ├── SnapshotError          a live-state snapshot cannot be read or written
    ├── FileRefused            a file is not a regular file, links out, is read-only, changed...
    ├── JournalError           the apply journal cannot be written: apply stops writing
    └── ApplyRefused           apply will not proceed (no terminal to ask, or the user said no)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from reconciler.quoting import printable


class ExitCode(IntEnum):
    """What ``reconciler`` exits with; the README's exit-code table lists the same values."""

    OK = 0
    ERROR = 1  # an expected failure: bad input, refused request, stale or unsafe plan
    CHANGES = 2  # changes pending: ``plan --detailed-exitcode`` with changes, ``drift`` with drift
    CRASH = 3  # a bug: one line on stderr plus the path of the crash report
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, located as precisely as the YAML allows (1-based line, column)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        # One printable line wherever it is printed: a file name may hold a line break.
        return printable(f"{self.path}:{self.line}:{self.col}: {self.message}")


class ReconcilerError(Exception):
    """An expected failure: its message is written for the user and says what to do next."""


class ConfigError(ReconcilerError):
    """Desired-state files are invalid; ``problems`` holds every one found, sorted."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class CredentialsError(ReconcilerError):
    """The API key pair is missing or unusable (never quoted in the message)."""


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
    """401 from Sendcloud: the key pair is wrong."""


class IntegrationNotFound(ApiError):
    """404 from Sendcloud: no PrestaShop V2 integration with that id."""


class TransportError(ReconcilerError):
    """The API could not be reached, even after the client's retries."""


class PlanFileError(ReconcilerError):
    """A saved plan cannot be written, read, or trusted (see ``reconciler.planfile``)."""


class SnapshotError(ReconcilerError):
    """A live-state snapshot cannot be written, read, or trusted (see ``reconciler.snapshot``)."""


class ApplyRefused(ReconcilerError):
    """Apply will not proceed: no terminal to confirm on, or the user said no."""


class FileRefused(ReconcilerError):
    """A user's file cannot be read or written safely; the text does not name the file.

    ``reason`` is the operating system's word for it, when there is one ("Not a directory").
    """

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class JournalError(ReconcilerError):
    """The apply journal cannot be opened or a record cannot be written: apply stops writing."""
