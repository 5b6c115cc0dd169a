"""The simulator in a child process on loopback, and the admin calls that drive it.

Client and server in one process would share one GIL; on a small machine the server's work
would then show up as client latency. The admin endpoints (``/_simulator/...``) are called with
plain httpx: they are the simulator's interface, not the Sendcloud API the client speaks.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from reconciler.simulator.credentials import SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY

LogEntry = dict[str, Any]
HOST = "127.0.0.1"


class BenchError(Exception):
    """The benchmark could not run (the simulator did not start, a command failed)."""


class SimulatorProcess:
    """``python -m tests.benchmarks.serve`` on an ephemeral loopback port; a context manager."""

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._admin: httpx.Client | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/api/v3"

    @property
    def credentials(self) -> tuple[str, str]:
        return SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY

    def start(self, timeout: float = 30.0) -> SimulatorProcess:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind((HOST, 0))
            listener.listen(1024)
            self.port = int(listener.getsockname()[1])
            fd = listener.fileno()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.benchmarks.serve", "--fd", str(fd)],
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            listener.close()  # the child holds its own copy
        self._admin = httpx.Client(
            base_url=f"http://{HOST}:{self.port}/_simulator", timeout=30.0, trust_env=False
        )
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise BenchError(f"the simulator exited at start-up ({self._process.returncode})")
            try:
                if self.admin.get("/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"the simulator did not answer within {timeout:g} s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def cpu_seconds(self) -> float | None:
        """User + system CPU the simulator process has used so far (Linux /proc), else None."""
        if self._process is None:
            return None
        try:
            stat = Path(f"/proc/{self._process.pid}/stat").read_text(encoding="ascii")
            fields = stat.rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    # --- admin ------------------------------------------------------------------------------

    @property
    def admin(self) -> httpx.Client:
        if self._admin is None:
            raise BenchError("the simulator is not running")
        return self._admin

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.admin.request(method, path, json=body)
        if response.status_code >= 400:
            raise BenchError(f"{method} /_simulator{path}: {response.status_code} {response.text}")
        return response.json()

    def reset(self) -> None:
        """Empty state and log, no latency, no rate limit (the child's initial config)."""
        self._call("POST", "/reset")

    def configure(self, *, latency: float, rate_limits: dict[str, Any]) -> None:
        self._call("PUT", "/config", {"latency": latency, "rate_limits": rate_limits})

    def put_state(self, state: dict[str, Any]) -> None:
        self._call("PUT", "/state", state)

    def log(self) -> list[LogEntry]:
        entries: list[LogEntry] = self._call("GET", "/log")["entries"]
        return entries

    def clear_log(self) -> None:
        self._call("DELETE", "/log")


def cli_env() -> dict[str, str]:
    """The environment for ``reconciler`` subprocesses: the sandbox pair, nothing of Actions."""
    env = dict(os.environ)
    for name in ("SENDCLOUD_API_URL", "GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        env.pop(name, None)
    env["SENDCLOUD_PUBLIC_KEY"] = SANDBOX_PUBLIC_KEY
    env["SENDCLOUD_SECRET_KEY"] = SANDBOX_SECRET_KEY
    return env
