"""Hostile or broken input, through the command line: a clear message and exit 1, never a crash.

Every bad file and every bad flag is run through ``reconciler.cli.main`` against the loopback
simulator (``--api-url``), and must:

- exit 1 with ``file:line:col: message`` (file problems) or a one-line ``Error:`` (flags);
- print no traceback and write no crash file;
- send no request at all: the simulator's request log stays empty.

The loader's exact wording per malformed file is pinned by ``tests/config``; here the point is
the command line's contract. The last tests feed hostile status names through the renderers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.simulator.simulator import Simulator
from tests.reliability.conftest import IID, VALID, Run, assert_no_crash

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")
Setup = Callable[[Path], None]


def files(**named: str | bytes) -> Setup:
    """A setup writing each file (``__`` in a name stands for ``/``, ``_dot_`` for ``.``)."""

    def setup(root: Path) -> None:
        for name, content in named.items():
            path = root / name.replace("__", "/").replace("_dot_", ".")
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")

    return setup


def status_file(body: str, integration_id: int = IID) -> str:
    return f"integration_id: {integration_id}\n{body}"


def _symlink_loop(root: Path) -> None:
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")


def _directory_symlink_loop(root: Path) -> None:
    (root / "dir" / "sub").mkdir(parents=True)
    (root / "dir" / "sub" / "back").symlink_to(root / "dir", target_is_directory=True)


def _ten_megabytes(root: Path) -> None:
    line = b'  "x": {en-gb: padding}\n'
    (root / "big.yaml").write_bytes(b"integration_id: 7\nstatuses:\n" + line * (10 * 2**20 // 24))


def _unreadable(root: Path) -> None:
    path = root / "secret.yaml"
    path.write_text(VALID, encoding="utf-8")
    path.chmod(0)


BILLION_LAUGHS = """\
integration_id: 7
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
"""
SEVEN_LANGUAGES = "".join(
    f"    {lang}: Paid\n"
    for lang in ("en-us", "en-gb", "fr-fr", "de-de", "nl-nl", "es-es", "it-it")
)
MAPPING_TAIL = "  IN_TRANSIT: null\n  DELIVERED: null\n  CANCEL: null\n"


@dataclass(frozen=True)
class FileCase:
    name: str
    setup: Setup
    paths: tuple[str, ...]
    where: str  # the start of the problem line: "file:line:col"
    says: str  # words the message must contain


FILE_CASES = [
    FileCase(
        "syntax-unclosed-quote",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n    en-gb: "Paid\n')),
        ("bad.yaml",),
        "bad.yaml:4:12",
        "never closed",
    ),
    FileCase(
        "syntax-tab-indent",
        files(bad_dot_yaml=status_file('statuses:\n\t"2": {en-gb: Paid}\n')),
        ("bad.yaml",),
        "bad.yaml:3:1",
        "indent with spaces",
    ),
    FileCase(
        "syntax-bad-indentation",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n    en-gb: Paid\n   nl-nl: x\n')),
        ("bad.yaml",),
        "bad.yaml:5:",
        "indentation",
    ),
    FileCase(
        "syntax-unclosed-flow",
        files(bad_dot_yaml=status_file('statuses: {"2": {en-gb: Paid}\n')),
        ("bad.yaml",),
        "bad.yaml:2:",
        "not closed",
    ),
    FileCase(
        "integration-id-text",
        files(bad_dot_yaml="integration_id: shop-one\n"),
        ("bad.yaml",),
        "bad.yaml:1:17",
        "integration_id must be a whole number",
    ),
    FileCase(
        "integration-id-zero",
        files(bad_dot_yaml="integration_id: 0\n"),
        ("bad.yaml",),
        "bad.yaml:1:17",
        "above 0",
    ),
    FileCase(
        "integration-id-missing",
        files(bad_dot_yaml='statuses:\n  "2": {en-gb: Paid}\n'),
        ("bad.yaml",),
        "bad.yaml:1:1",
        "missing integration_id",
    ),
    FileCase(
        "statuses-is-a-list",
        files(bad_dot_yaml=status_file("statuses:\n  - en-gb: Paid\n")),
        ("bad.yaml",),
        "bad.yaml:2:",
        "statuses must be a mapping",
    ),
    FileCase(
        "status-text-is-a-number",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n    en-gb: 12.5\n')),
        ("bad.yaml",),
        "bad.yaml:4:12",
        "not as text",
    ),
    FileCase(
        "status-id-leading-zero",
        files(bad_dot_yaml=status_file("statuses:\n  02:\n    en-gb: Paid\n")),
        ("bad.yaml",),
        "bad.yaml:3:3",
        'quote it ("02")',
    ),
    FileCase(
        "unknown-top-level-key",
        files(bad_dot_yaml=status_file('status:\n  "2": {en-gb: Paid}\n')),
        ("bad.yaml",),
        "bad.yaml:2:1",
        "did you mean statuses?",
    ),
    FileCase(
        "unknown-category",
        files(
            bad_dot_yaml=status_file(
                'statuses:\n  "2": {en-gb: Paid}\nmapping:\n  READY_TO_SHIP: "2"\n' + MAPPING_TAIL
            )
        ),
        ("bad.yaml",),
        "bad.yaml:5:3",
        "did you mean READY_TO_SEND?",
    ),
    FileCase(
        "missing-category",
        files(
            bad_dot_yaml=status_file(
                'statuses:\n  "2": {en-gb: Paid}\nmapping:\n  READY_TO_SEND: "2"\n'
                "  IN_TRANSIT: null\n  DELIVERED: null\n"
            )
        ),
        ("bad.yaml",),
        "bad.yaml:4:1",
        "CANCEL is missing",
    ),
    FileCase(
        "bad-language",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n    pt-br: Pago\n')),
        ("bad.yaml",),
        "bad.yaml:4:5",
        "unknown language 'pt-br'",
    ),
    FileCase(
        "language-wrong-case",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n    EN-GB: Paid\n')),
        ("bad.yaml",),
        "bad.yaml:4:5",
        "did you mean en-gb?",
    ),
    FileCase(
        "eight-translations",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n' + SEVEN_LANGUAGES + "    pt-pt: x\n")),
        ("bad.yaml",),
        "bad.yaml:11:5",
        "unknown language 'pt-pt'",
    ),
    FileCase(
        "duplicate-language",
        files(bad_dot_yaml=status_file('statuses:\n  "2":\n    en-gb: A\n    en-gb: B\n')),
        ("bad.yaml",),
        "bad.yaml:5:5",
        "duplicate key 'en-gb'",
    ),
    FileCase(
        "duplicate-status-id",
        files(bad_dot_yaml=status_file('statuses:\n  "2": {en-gb: A}\n  "2": {en-gb: B}\n')),
        ("bad.yaml",),
        "bad.yaml:4:3",
        "duplicate key '2' (first defined on line 3)",
    ),
    FileCase(
        "duplicate-top-level-key",
        files(bad_dot_yaml=status_file("integration_id: 8\n")),
        ("bad.yaml",),
        "bad.yaml:2:1",
        "duplicate key 'integration_id'",
    ),
    FileCase(
        "dangling-mapping-reference",
        files(
            bad_dot_yaml=status_file(
                'statuses:\n  "2": {en-gb: Paid}\nmapping:\n  READY_TO_SEND: "99"\n' + MAPPING_TAIL
            )
        ),
        ("bad.yaml",),
        "bad.yaml:5:3",
        "points at status '99', which is not in statuses",
    ),
    FileCase(
        "duplicate-integration-id-across-files",
        files(a_dot_yaml=VALID, b_dot_yaml=VALID),
        (".",),
        "b.yaml:1:1",
        "integration 7 is already defined in a.yaml:1",
    ),
    FileCase(
        "empty-file",
        files(bad_dot_yaml=""),
        ("bad.yaml",),
        "bad.yaml:1:1",
        "the file is empty",
    ),
    FileCase(
        "comments-only",
        files(bad_dot_yaml="# integration_id: 7\n# nothing else\n"),
        ("bad.yaml",),
        "bad.yaml:1:1",
        "the file is empty",
    ),
    FileCase(
        "top-level-list",
        files(bad_dot_yaml="- integration_id: 7\n"),
        ("bad.yaml",),
        "bad.yaml:1:1",
        "holds a list",
    ),
    FileCase(
        "two-documents",
        files(bad_dot_yaml=VALID + "---\nintegration_id: 8\n"),
        ("bad.yaml",),
        "bad.yaml:12:1",
        "a second YAML document",
    ),
    FileCase(
        "directory-without-yaml",
        files(dir__README_dot_md="# not yaml\n", dir__notes_dot_txt="integration_id: 7\n"),
        ("dir",),
        "dir:1:1",
        "no *.yaml or *.yml files",
    ),
    FileCase(
        "directory-with-only-a-symlink-loop",
        _directory_symlink_loop,
        ("dir",),
        "dir:1:1",
        "no *.yaml or *.yml files",
    ),
    FileCase(
        "yaml-bomb",
        files(bad_dot_yaml=BILLION_LAUGHS),
        ("bad.yaml",),
        "bad.yaml:",
        "anchors and aliases expand to too many values",
    ),
    FileCase(
        "deep-nesting",
        files(bad_dot_yaml="integration_id: 7\nstatuses: " + "[" * 5000 + "\n"),
        ("bad.yaml",),
        "bad.yaml:2:",
        "nested too deeply",
    ),
    FileCase(
        "merge-key",
        files(bad_dot_yaml=status_file('base: &b {en-gb: A}\nstatuses:\n  "2":\n    <<: *b\n')),
        ("bad.yaml",),
        "bad.yaml:5:5",
        "merge keys (<<) are not supported",
    ),
    FileCase(
        "ten-megabyte-file",
        _ten_megabytes,
        ("big.yaml",),
        "big.yaml:1:1",
        "larger than 4 MiB",
    ),
    FileCase(
        "binary-garbage",
        files(bad_dot_yaml=bytes(range(256)) * 4),
        ("bad.yaml",),
        "bad.yaml:1:1",
        "NUL byte",
    ),
    FileCase(
        "latin-1-text",
        files(bad_dot_yaml=status_file('statuses:\n  "2": {fr-fr: "Pay\xe9"}\n').encode("latin-1")),
        ("bad.yaml",),
        "bad.yaml:3:",
        "is not valid UTF-8",
    ),
    FileCase(
        "utf-16-text",
        files(bad_dot_yaml=VALID.encode("utf-16")),
        ("bad.yaml",),
        "bad.yaml:1:1",
        "UTF-16",
    ),
    FileCase(
        "control-character",
        files(bad_dot_yaml=status_file('statuses:\n  "2": {en-gb: "Pa\x1bid"}\n')),
        ("bad.yaml",),
        "bad.yaml:3:19",
        "control character U+001B",
    ),
    FileCase(
        "symlink-loop",
        _symlink_loop,
        ("a.yaml",),
        "a.yaml:1:1",
        "cannot read the file",
    ),
    FileCase(
        "one-bad-file-among-good-ones",
        files(good_dot_yaml=VALID, bad_dot_yaml=status_file("mapping: []\n", 8)),
        ("good.yaml", "bad.yaml"),
        "bad.yaml:2:1",
        "mapping must be a mapping of the four categories",
    ),
    FileCase(
        "directory-is-named-like-a-file",
        files(x_dot_yaml__inner_dot_txt="not yaml"),
        ("x.yaml",),
        "x.yaml:1:1",
        "no *.yaml or *.yml files",
    ),
]


@pytest.mark.parametrize("command", ["validate", "plan", "drift", "apply", "adopt"])
def test_every_path_taking_command_stops_on_a_bad_file_before_any_request(
    command: str, cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text(status_file('statuses:\n  "2":\n    xx-xx: Paid\n'))
    extra = [] if command == "validate" else ["--api-url", api_url]
    outcome = cli(command, *extra, "bad.yaml")
    assert outcome.code == 1
    assert "bad.yaml:4:5: unknown language 'xx-xx'" in outcome.err
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.name)
def test_bad_file_exits_1_with_file_line_col_and_sends_nothing(
    case: FileCase, cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    case.setup(tmp_path)
    outcome = cli("plan", "--api-url", api_url, *case.paths)
    assert outcome.code == 1, outcome.text
    problems = [line for line in outcome.err.splitlines() if line.startswith(case.where)]
    assert problems, f"no problem at {case.where}:\n{outcome.err}"
    assert any(case.says in line for line in problems), outcome.err
    assert re.search(r"^\d+ problems? in \d+ files?\.$", outcome.err, re.MULTILINE)
    assert outcome.out == ""  # no plan, not even an empty one
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


@pytest.mark.parametrize("path", ["nowhere/7.yaml", "good.yaml/7.yaml"])
def test_a_path_that_does_not_exist_is_said_plainly(
    path: str, cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    outcome = cli("plan", "--api-url", api_url, path)
    assert outcome.code == 1, outcome.text
    assert outcome.err == f"Error: {path} does not exist; check the PATH arguments.\n"
    assert outcome.out == ""
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(
    cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    _unreadable(tmp_path)
    outcome = cli("plan", "--api-url", api_url, "secret.yaml")
    assert outcome.code == 1
    assert "secret.yaml:1:1: cannot read the file (Permission denied)" in outcome.err
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


@dataclass(frozen=True)
class FlagCase:
    name: str
    command: str  # split on spaces; "{api}" stands for `--api-url <the simulator>`
    says: str

    def argv(self, api_url: str) -> list[str]:
        args: list[str] = []
        for word in self.command.split():
            args += ["--api-url", api_url] if word == "{api}" else [word]
        return args


CORRUPT_PLAN = '{"format_version": 1, "integrations": ['
FLAG_CASES = [
    FlagCase("parallelism-0", "plan {api} --parallelism 0 good.yaml", "'--parallelism': 0 is not"),
    FlagCase("parallelism-text", "plan {api} --parallelism many good.yaml", "'many' is not"),
    FlagCase("parallelism-huge", "plan {api} --parallelism 100000 good.yaml", "'--parallelism'"),
    FlagCase("format-xml", "plan {api} --format xml good.yaml", "'xml' is not one of"),
    FlagCase("drift-format-xml", "drift {api} --format xml good.yaml", "'xml' is not one of"),
    FlagCase("reads-per-minute-negative", "plan {api} --reads-per-minute -1 good.yaml", "x>=1"),
    FlagCase("reads-per-minute-nan", "plan {api} --reads-per-minute nan good.yaml", "not a number"),
    FlagCase("writes-per-minute-inf", "apply {api} --writes-per-minute inf good.yaml", "not a"),
    FlagCase(
        "request-deadline-nan",
        "plan {api} --request-deadline nan good.yaml",
        "nan is not a number of seconds",
    ),
    FlagCase("writes-per-minute-zero", "apply {api} --writes-per-minute 0 good.yaml", "x>=1"),
    FlagCase(
        "api-url-ftp",
        "plan --api-url ftp://x good.yaml",
        "(from --api-url) is 'ftp://x', not an https:// URL",
    ),
    FlagCase("api-url-no-scheme", "plan --api-url panel.sendcloud.sc good.yaml", "https://"),
    FlagCase(
        "api-url-plain-http-remote",
        "plan --api-url http://example.com/api/v3 good.yaml",
        "Refusing to send the API key pair over plain http to example.com",
    ),
    FlagCase(
        "api-url-plain-http-lookalike",
        "plan --api-url http://127.0.0.1.nip.io/api/v3 good.yaml",
        "over plain http",
    ),
    FlagCase(
        "api-url-with-credentials",
        "plan --api-url https://user:pass@panel.sendcloud.sc/api/v3 good.yaml",
        "credentials never go in a URL",
    ),
    FlagCase(
        "api-url-with-user-only",
        "plan --api-url https://user@panel.sendcloud.sc/api/v3 good.yaml",
        "credentials never go in a URL",
    ),
    FlagCase(
        "api-url-before-command", "--api-url http://example.com drift good.yaml", "over plain http"
    ),
    FlagCase("import-not-a-number", "import {api} abc", "'abc' is not an integration id"),
    FlagCase("import-zero", "import {api} 0", "'0' is not an integration id"),
    FlagCase("import-arabic-digit", "import {api} ٣", "'٣' is not an integration id"),
    FlagCase("import-superscript", "import {api} ²", "'²' is not an integration id"),
    FlagCase("import-no-ids", "import {api}", "Missing argument 'INTEGRATION_IDS...'"),
    FlagCase("import-dir-is-a-file", "import {api} 7 --dir good.yaml", "is a file"),
    FlagCase("apply-plan-missing", "apply {api} --plan missing.json", "does not exist"),
    FlagCase("apply-plan-corrupt", "apply {api} --plan corrupt.json", "is not valid JSON"),
    FlagCase("apply-plan-not-a-plan", "apply {api} --plan empty.json", "format_version"),
    FlagCase("apply-plan-is-yaml", "apply {api} --plan good.yaml", "is not valid JSON"),
    FlagCase(
        "apply-plan-and-paths",
        "apply {api} --plan corrupt.json good.yaml",
        "give either PATHS or --plan, not both",
    ),
    FlagCase("apply-journal-is-a-directory", "apply {api} --journal . good.yaml", "is a directory"),
    FlagCase("plan-out-is-a-directory", "plan {api} --out . good.yaml", "is a directory"),
    FlagCase("unknown-command", "frobnicate {api}", "No such command 'frobnicate'"),
    FlagCase("unknown-option", "plan {api} --colour good.yaml", "No such option"),
    FlagCase("option-without-value", "plan {api} good.yaml --format", "requires an argument"),
    FlagCase("sandbox-serve-bad-port", "sandbox serve --port 70000", "'--port'"),
]


@pytest.mark.parametrize("case", FLAG_CASES, ids=lambda c: c.name)
def test_bad_flag_exits_1_with_a_clear_message_and_sends_nothing(
    case: FlagCase, cli: Run, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "corrupt.json").write_text(CORRUPT_PLAN, encoding="utf-8")
    (tmp_path / "empty.json").write_text("{}", encoding="utf-8")
    outcome = cli(*case.argv(api_url))
    assert outcome.code == 1, outcome.text
    assert case.says in outcome.err, outcome.err
    assert "Error: " in outcome.err
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


def test_missing_credentials_are_named_before_any_request(
    cli: Run,
    sim: Simulator,
    api_url: str,
    crash_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.delenv("SENDCLOUD_SECRET_KEY")
    outcome = cli("plan", "--api-url", api_url, "good.yaml")
    assert outcome.code == 1
    assert "SENDCLOUD_SECRET_KEY is not set" in outcome.err
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


def test_corrupt_sandbox_state_is_a_located_problem(
    cli: Run, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "state.json").write_text('{"integrations": ', encoding="utf-8")
    outcome = cli("plan", "--sandbox", "--sandbox-state", "state.json", "good.yaml")
    assert outcome.code == 1
    assert "state.json:1:1: the sandbox state cannot be used" in outcome.err
    assert_no_crash(outcome, crash_dir)


def test_api_url_that_cannot_be_parsed(
    cli: Run, sim: Simulator, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    outcome = cli("plan", "--api-url", "http://[::1", "good.yaml")
    assert outcome.code == 1
    assert "Error: The API URL (from --api-url) cannot be parsed" in outcome.err
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


def test_empty_api_url_is_refused(
    cli: Run,
    sim: Simulator,
    api_url: str,
    crash_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The fallback points at the simulator, so a regression cannot reach production.
    monkeypatch.setenv("SENDCLOUD_API_URL", api_url)
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")
    outcome = cli("plan", "--api-url", "", "good.yaml")
    assert outcome.code == 1
    assert outcome.err.startswith("Error: ")
    assert_no_crash(outcome, crash_dir)
    assert sim.log.entries() == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["plan", "{api}", "bad.yaml"], "bad.yaml:4:5: unknown language 'xx-xx'"),
        (["plan", "{api}", "--format", "xml", "bad.yaml"], "'xml' is not one of"),
        (["apply", "{api}", "--plan", "missing.json"], "does not exist"),
    ],
    ids=["bad-file", "bad-flag", "missing-plan"],
)
def test_real_process_exits_1_without_traceback(
    args: list[str], says: str, sim: Simulator, api_url: str, crash_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text(status_file('statuses:\n  "2":\n    xx-xx: Paid\n'))
    argv = [a if a != "{api}" else f"--api-url={api_url}" for a in args]
    env = {**os.environ, "TMPDIR": str(crash_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert list(crash_dir.iterdir()) == []
    assert sim.log.entries() == []


# --- hostile status names from shops --------------------------------------------------------

HOSTILE_NAMES = [
    "</details><script>alert(1)</script>",
    "| pipe | cell |",
    "line\nbreak",
    "@everyone look #1",
    "```\n# fenced",
    "`code` and ~~strike~~ **bold** [link](https://evil.example)",
    "\u202eevil\u202c reversed",
    "<!-- hidden -->",
    "\x1b[31mred\x1b[0m",
    "very long " + "x" * 5000,
]


def _live_state() -> dict[str, object]:
    statuses = [
        {
            "external_id": str(index),
            "translations": [{"language": "en-gb", "status": name}],
            "deleted_at": None,
        }
        for index, name in enumerate(HOSTILE_NAMES, start=1)
    ]
    statuses.append(
        {
            "external_id": "</details>|@everyone",
            "translations": [{"language": "en-gb", "status": "`gone`"}],
            "deleted_at": None,
        }
    )
    mapping = {"READY_TO_SEND": "1", "IN_TRANSIT": "3", "DELIVERED": None, "CANCEL": None}
    return {"integrations": {str(IID): {"statuses": statuses, "mapping": mapping}}}


def _desired_name(name: str) -> str:
    """The hostile name reversed, as a file may hold it: validate refuses control characters
    (Sendcloud would not store them as written), so those become visible words; the live side
    keeps them raw, which the renderers must still defuse."""
    storable = name[::-1].replace("\n", " NL ").replace("\x1b", "ESC")
    return storable + " (new)"


def _desired_file() -> str:
    # JSON strings are valid YAML double-quoted scalars, escapes included.
    lines = [f"integration_id: {IID}", "statuses:"]
    for index, name in enumerate(HOSTILE_NAMES, start=1):
        lines.append(f"  {json.dumps(str(index))}:")
        lines.append(f"    en-gb: {json.dumps(_desired_name(name))}")
    lines += ["mapping:", '  READY_TO_SEND: "2"', '  IN_TRANSIT: "4"', "  DELIVERED: null"]
    lines.append("  CANCEL: null")
    return "\n".join(lines) + "\n"


def _outside_fences(markdown: str) -> str:
    kept, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(line)
    assert not fenced, "a fenced block is never closed"
    return "\n".join(kept)


@pytest.fixture
def hostile(sim: Simulator, tmp_path: Path) -> Path:
    sim.replace_state(_live_state())
    path = tmp_path / "hostile.yaml"
    path.write_text(_desired_file(), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["plan", "drift"])
def test_markdown_shows_hostile_names_as_text_never_as_markup(
    command: str, hostile: Path, cli: Run, api_url: str, crash_dir: Path
) -> None:
    outcome = cli(command, "--api-url", api_url, "--format", "markdown", hostile.name)
    assert outcome.code in (0, 2), outcome.err
    assert_no_crash(outcome, crash_dir)
    markdown = outcome.out
    assert len(markdown) < 65_536
    prose = _outside_fences(markdown)
    for raw in ("<script", "| pipe |", "@everyone", "<!--", "`code`", "[link]", "~~strike~~"):
        assert raw not in prose
    assert prose.count("<details") == prose.count("</details>")
    for bad in ("\u202e", "\u202c", "\x1b"):
        assert bad not in markdown
    # Each name stays on one line: no line of the report is the tail of a name.
    tails = ("break", "# fenced", "kaerb")
    assert not any(line.startswith(tails) for line in markdown.splitlines())
    fence_lines = [line for line in markdown.splitlines() if line.lstrip().startswith("```")]
    assert all(re.fullmatch(r"```(diff)?", line) for line in fence_lines), fence_lines


@pytest.mark.parametrize("command", ["plan", "drift"])
def test_json_is_valid_and_keeps_hostile_names_exactly(
    command: str, hostile: Path, cli: Run, api_url: str, crash_dir: Path
) -> None:
    outcome = cli(command, "--api-url", api_url, "--format", "json", hostile.name)
    assert outcome.code in (0, 2), outcome.err
    assert_no_crash(outcome, crash_dir)
    document = json.loads(outcome.out)
    strings = set(_strings(document))
    for name in HOSTILE_NAMES:
        assert name in strings, f"{name[:40]!r} did not survive"
        assert _desired_name(name) in strings
    assert "</details>|@everyone" in strings


def test_saved_plan_with_hostile_names_applies_exactly(
    hostile: Path, cli: Run, sim: Simulator, api_url: str, crash_dir: Path
) -> None:
    planned = cli("plan", "--api-url", api_url, "--out", "plan.json", hostile.name)
    assert planned.code == 0, planned.err
    json.loads(Path("plan.json").read_text(encoding="ascii"))
    applied = cli("apply", "--api-url", api_url, "--plan", "plan.json", "--auto-approve", "--force")
    assert applied.code == 0, applied.err
    assert_no_crash(applied, crash_dir)
    live = sim.get_state()["integrations"][str(IID)]
    names = {
        s["external_id"]: s["translations"][0]["status"]
        for s in live["statuses"]
        if s["deleted_at"] is None
    }
    assert names == {str(i): _desired_name(n) for i, n in enumerate(HOSTILE_NAMES, start=1)}


def test_text_output_shows_control_characters_escaped(
    hostile: Path, cli: Run, api_url: str, crash_dir: Path
) -> None:
    outcome = cli("plan", "--api-url", api_url, hostile.name)
    assert outcome.code == 0, outcome.err
    assert_no_crash(outcome, crash_dir)
    for bad in ("\u202e", "\x1b"):
        assert bad not in outcome.text


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []
