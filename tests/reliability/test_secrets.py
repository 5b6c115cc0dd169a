"""The secret key never leaves the Authorization header, whatever the command and however it ends.

With SENDCLOUD_AUTH=oauth2 the same holds for the client secret and for every access token the
simulator's token endpoint issued during the runs.

Every command runs with ``--debug`` inside a simulated GitHub Actions job and with the suite's
distinctive secret in SENDCLOUD_SECRET_KEY; then stdout, stderr, every file written (plans,
journals, step summary and outputs, imported and adopted YAML, crash files) and every log record
are searched for the secret and for the Basic token that carries it, ``base64(public:secret)``.
The last tests pin where the key pair may be sent at all: https, or plain http to loopback only,
never inside a URL.
"""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from reconciler.errors import CredentialsError
from reconciler.sendcloud.client import check_base_url
from reconciler.simulator.faults import Fault
from reconciler.simulator.simulator import Simulator
from tests.reliability.conftest import IID, VALID, Outcome, Run
from tests.support.simulator import BackgroundServer

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")
WRONG_PUBLIC_KEY = "wrong-public-key"
LIVE = {
    "integrations": {
        str(IID): {
            "statuses": [
                {
                    "external_id": "2",
                    "translations": [{"language": "en-gb", "status": "Paid (old name)"}],
                    "deleted_at": None,
                },
                {
                    "external_id": "9",
                    "translations": [{"language": "en-gb", "status": "Obsolete"}],
                    "deleted_at": None,
                },
            ],
            "mapping": {
                "READY_TO_SEND": "2",
                "IN_TRANSIT": None,
                "DELIVERED": None,
                "CANCEL": None,
            },
        }
    }
}


def basic_token(public_key: str, secret_key: str) -> str:
    return base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")


class LeakCheck:
    """Every output a run can leave behind, searched for the secret in each form it could take."""

    def __init__(
        self,
        secret: str,
        public_keys: list[str],
        roots: list[Path],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        self.forbidden = [secret, base64.b64encode(secret.encode()).decode("ascii")]
        self.forbidden += [basic_token(public, secret) for public in public_keys]
        self.roots = roots
        self.caplog = caplog
        self.outcomes: list[tuple[str, Outcome]] = []

    def record(self, name: str, outcome: Outcome) -> Outcome:
        self.outcomes.append((name, outcome))
        return outcome

    def leaks(self) -> Iterator[str]:
        for name, outcome in self.outcomes:
            yield from self._search(f"output of {name}", outcome.text)
        # Checked at teardown, where caplog.records would hold only the teardown's records.
        for record in self.caplog.get_records("call"):
            text = " ".join((record.getMessage(), repr(record.args), record.exc_text or ""))
            yield from self._search(f"log record {record.name}", text)
        for root in self.roots:
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    text = path.read_bytes().decode("utf-8", errors="replace")
                    yield from self._search(str(path), text)

    def _search(self, where: str, text: str) -> Iterator[str]:
        for needle in self.forbidden:
            if needle in text:
                yield f"{needle[:6]}... in {where}"

    def assert_clean(self) -> None:
        assert self.outcomes, "nothing was run"
        assert list(self.leaks()) == []


@pytest.fixture
def leak_check(
    caplog: pytest.LogCaptureFixture,
    credentials: tuple[str, str],
    crash_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LeakCheck]:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "step-summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "step-outputs.txt"))
    public, secret = credentials
    check = LeakCheck(secret, [public, WRONG_PUBLIC_KEY], [tmp_path, crash_dir], caplog)
    yield check
    check.assert_clean()


@pytest.fixture
def seeded(sim: Simulator, tmp_path: Path) -> Path:
    sim.replace_state(LIVE)
    path = tmp_path / "integrations" / "7.yaml"
    path.parent.mkdir()
    path.write_text(VALID, encoding="utf-8")
    return path


def test_no_command_leaks_the_secret(
    leak_check: LeakCheck, seeded: Path, cli: Run, sim: Simulator, api_url: str, tmp_path: Path
) -> None:
    api = ["--debug", "--api-url", api_url]
    runs: list[tuple[list[str], int]] = [
        (["--help"], 0),
        (["--version"], 0),
        *[([command, "--help"], 0) for command in ("validate", "plan", "apply", "drift")],
        *[([command, "--help"], 0) for command in ("import", "adopt", "schema", "sandbox")],
        (["validate", "integrations"], 0),
        (["schema"], 0),
        (["plan", *api, "--out", "plan-text.json", "integrations"], 0),
        (["plan", *api, "--format", "markdown", "--out", "plan-md.json", "integrations"], 0),
        (["plan", *api, "--format", "json", "--out", "plan.json", "integrations"], 0),
        (["plan", *api, "--detailed-exitcode", "integrations"], 2),
        (["drift", *api, "integrations"], 2),
        (["drift", *api, "--format", "markdown", "integrations"], 2),
        (["drift", *api, "--format", "json", "integrations"], 2),
        (["apply", *api, "--plan", "plan.json", "--auto-approve", "--journal", "j.jsonl"], 0),
        (["apply", *api, "--auto-approve", "--journal", "j.jsonl", "integrations"], 0),
        (["drift", *api, "--format", "markdown", "integrations"], 0),
        (["import", *api, "--dir", "imported", "7"], 0),
        (["adopt", *api, "integrations"], 0),
    ]
    for args, expected in runs:
        outcome = leak_check.record(" ".join(args), cli(*args))
        assert outcome.code == expected, (args, outcome.text)
    # The runs did what they claim, so every output above was really produced.
    assert sim.log.writes()
    assert (tmp_path / "j.jsonl").read_text(encoding="utf-8").strip()
    assert (tmp_path / "imported" / "7.yaml").is_file()
    assert "Reconciler" in (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert "exit_code=" in (tmp_path / "step-outputs.txt").read_text(encoding="utf-8")
    assert any(r.name == "reconciler.http" for r in leak_check.caplog.records)


FAILURES = [
    pytest.param(Fault("GET /shop-order-statuses", status=500, times=1000), id="500"),
    pytest.param(Fault("GET /shop-order-statuses/mapping", status=503, times=1000), id="503"),
    pytest.param(Fault("GET /shop-order-statuses", status=401, times=1000), id="401-fault"),
    pytest.param(
        Fault("GET /shop-order-statuses", action="delay", delay=0.6, times=1000), id="timeout"
    ),
    pytest.param(Fault("GET /shop-order-statuses", action="drop", times=1000), id="drop"),
    pytest.param(
        Fault("GET /shop-order-statuses/mapping", status=200, body="<html>oops</html>"), id="html"
    ),
    pytest.param(Fault("POST /shop-order-statuses", status=500, times=1000), id="write-500"),
    pytest.param(
        Fault("POST /shop-order-statuses/mapping", action="delay", delay=0.6, times=1000),
        id="write-timeout",
    ),
]


@pytest.mark.parametrize("fault", FAILURES)
def test_failures_do_not_leak_the_secret(
    fault: Fault,
    leak_check: LeakCheck,
    seeded: Path,
    cli: Run,
    sim: Simulator,
    api_url: str,
    simulator_server: BackgroundServer,
) -> None:
    api = ["--debug", "--api-url", api_url]
    for args in (
        ["plan", *api, "--format", "markdown", "integrations"],
        ["drift", *api, "--format", "json", "integrations"],
        ["apply", *api, "--auto-approve", "--journal", "j.jsonl", "integrations"],
        ["import", *api, "--dir", "imported", "--overwrite", "7"],
    ):
        sim.faults.clear()
        sim.inject(replace(fault))
        outcome = leak_check.record(" ".join(args), cli(*args))
        if fault.endpoint.startswith("GET") or args[0] == "apply":
            assert outcome.code == 1, outcome.text
    simulator_server.wait_idle()


def test_wrong_key_pair_does_not_leak_the_secret(
    leak_check: LeakCheck,
    seeded: Path,
    cli: Run,
    sim: Simulator,
    api_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENDCLOUD_PUBLIC_KEY", WRONG_PUBLIC_KEY)
    for args in (
        ["plan", "--debug", "--api-url", api_url, "--format", "json", "integrations"],
        ["apply", "--debug", "--api-url", api_url, "--auto-approve", "integrations"],
        ["import", "--debug", "--api-url", api_url, "--dir", "imported", "7"],
        ["adopt", "--debug", "--api-url", api_url, "integrations"],
    ):
        outcome = leak_check.record(" ".join(args), cli(*args))
        assert outcome.code == 1
        assert "HTTP 401" in outcome.out + outcome.err  # a text report says it in its `!` line
    assert {entry.status for entry in sim.log.entries()} == {401}


def test_a_crash_file_does_not_leak_the_secret(
    leak_check: LeakCheck,
    seeded: Path,
    cli: Run,
    api_url: str,
    crash_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken_send(self: httpx.AsyncClient, request: httpx.Request, **_: object) -> None:
        # A bug that drags the whole request, headers included, into its message.
        raise RuntimeError(f"unexpected state for {request!r} with {request.headers!r}")

    monkeypatch.setattr(httpx.AsyncClient, "send", broken_send)
    outcome = leak_check.record("crash", cli("plan", "--debug", "--api-url", api_url, "."))
    assert outcome.code == 3
    assert "reconciler crashed: RuntimeError" in outcome.err
    crash_files = list(crash_dir.iterdir())
    assert len(crash_files) == 1
    assert "Traceback" in crash_files[0].read_text(encoding="utf-8")


def test_debug_log_of_a_real_process_is_redacted(
    seeded: Path, api_url: str, crash_dir: Path, credentials: tuple[str, str]
) -> None:
    public, secret = credentials
    env = {**os.environ, "TMPDIR": str(crash_dir), "GITHUB_ACTIONS": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", "--debug", "--api-url", api_url, "."],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=seeded.parent.parent,
    )
    assert result.returncode == 0, result.stderr
    assert "debug: -> GET" in result.stderr
    assert "authorization: [redacted]" in result.stderr.lower()
    for needle in (secret, basic_token(public, secret)):
        assert needle not in result.stdout + result.stderr


# --- where the key pair may go ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://panel.sendcloud.sc/api/v3",
        "http://127.0.0.1:8080/api/v3",
        "http://127.5.6.7/api/v3",
        "http://localhost:8080/api/v3",
        "http://[::1]:8080/api/v3",
    ],
)
def test_https_or_loopback_urls_are_accepted(url: str) -> None:
    assert check_base_url(url + "/") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://panel.sendcloud.sc/api/v3",
        "http://10.0.0.1/api/v3",
        "http://0.0.0.0:8080/api/v3",
        "http://localhost.evil.example/api/v3",
        "https://test-public-key:{secret}@panel.sendcloud.sc/api/v3",
        "https://:{secret}@panel.sendcloud.sc/api/v3",
        "http://test-public-key:{secret}@127.0.0.1/api/v3",
        "ftp://panel.sendcloud.sc/api/v3",
        "file:///etc/passwd",
        "https:///api/v3",
    ],
)
def test_other_urls_are_refused_without_echoing_a_secret(
    url: str,
    cli: Run,
    sim: Simulator,
    api_url: str,
    tmp_path: Path,
    credentials: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = credentials[1]
    url = url.format(secret=secret)
    with pytest.raises(CredentialsError) as raised:
        check_base_url(url)
    assert secret not in str(raised.value)
    # The same URL from the environment is refused as well, before any request.
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.setenv("SENDCLOUD_API_URL", url)
    outcome = cli("plan", "7.yaml")
    assert outcome.code == 1
    assert outcome.err.startswith("Error: ")
    assert secret not in outcome.text
    assert sim.log.entries() == []


def test_plain_http_to_loopback_never_goes_through_a_proxy(
    cli: Run, sim: Simulator, api_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would receive the key pair in clear text: loopback must be reached directly.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://proxy.invalid:3128")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "7.yaml").write_text(VALID, encoding="utf-8")
    outcome = cli("plan", "--api-url", api_url, "7.yaml")
    assert outcome.code == 0, outcome.err
    assert len(sim.log.entries()) == 2


def test_oauth2_runs_leak_neither_the_client_secret_nor_the_tokens(
    leak_check: LeakCheck,
    seeded: Path,
    cli: Run,
    sim: Simulator,
    api_url: str,
    simulator_server: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim.configure(require_oauth2=True, token_lifetime=1)  # short-lived: several tokens per run
    monkeypatch.setenv("SENDCLOUD_AUTH", "oauth2")
    monkeypatch.setenv("SENDCLOUD_TOKEN_URL", f"{simulator_server.root_url}/oauth2/token")
    api = ["--debug", "--api-url", api_url]
    runs: list[tuple[list[str], int]] = [
        (["plan", *api, "--format", "json", "--out", "plan.json", "integrations"], 0),
        (["drift", *api, "--format", "markdown", "integrations"], 2),
        (["apply", *api, "--plan", "plan.json", "--auto-approve", "--journal", "j.jsonl"], 0),
        (["import", *api, "--dir", "imported", "7"], 0),
    ]
    for args, expected in runs:
        outcome = leak_check.record(" ".join(args), cli(*args))
        assert outcome.code == expected, (args, outcome.text)
    # A refused client secret, and an API that refuses every token, do not leak them either.
    sim.inject(Fault("GET /shop-order-statuses", status=401, times=1000))
    outcome = leak_check.record("plan-401", cli("plan", *api, "integrations"))
    assert outcome.code == 1, outcome.text
    monkeypatch.setenv("SENDCLOUD_SECRET_KEY", "wrong-secret")
    outcome = leak_check.record("plan-bad-client", cli("plan", *api, "integrations"))
    assert "token endpoint refused the client credentials" in outcome.text
    assert sim.tokens.issued >= 4, "every run exchanged for a token"
    token_lines = [
        r.getMessage() for r in leak_check.caplog.records if "/oauth2/token" in r.getMessage()
    ]
    assert any("[redacted]" in line for line in token_lines), "--debug shows the token request"
    assert sim.log.writes(), "the apply really wrote with a Bearer token"
    leak_check.forbidden += sim.tokens.known()
