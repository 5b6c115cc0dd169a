"""The part of each command's ``--help`` after its options: PATH, environment, exit codes, examples.

Plain strings only, so ``reconciler --help`` stays fast. Click re-wraps epilog paragraphs; a
paragraph that starts with ``\\b`` keeps its lines as written.
"""

from __future__ import annotations

from collections.abc import Sequence

PATHS = (
    "PATH: desired-state files, or directories searched recursively for *.yaml and *.yml.\n"
    "Default: integrations/ in the current directory."
)

KEYS = "SENDCLOUD_PUBLIC_KEY, SENDCLOUD_SECRET_KEY: the API key pair (not needed with --sandbox)"
API_URL = "SENDCLOUD_API_URL: the API base URL when --api-url is not given"
AUTH = (
    "SENDCLOUD_AUTH: basic (default) or oauth2 (OAuth2 client credentials, same key pair);"
    "\n  SENDCLOUD_TOKEN_URL: the OAuth2 token endpoint (default Sendcloud's)"
)
ACTIONS = "GITHUB_ACTIONS: inside GitHub Actions, also write annotations"
ACTIONS_REPORT = (
    "GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT: inside GitHub Actions, also write the\n"
    "  Markdown report to the step summary and has_changes / exit_code to the step outputs"
)
CI = "CI: set (as CI services do), progress is a plain line every few seconds, not a bar"
EDITOR = (
    "VISUAL, EDITOR: the editor to open (VISUAL first); with neither, vim or nano on a\n"
    "  terminal, and without a terminal (CI) an error asking for EDITOR"
)
# Every command can meet these two.
ALWAYS = (
    "3  a bug: one line on stderr names the file holding the traceback",
    "130  interrupted (Ctrl-C)",
)


def epilog(
    *,
    environment: Sequence[str],
    exit_codes: Sequence[str],
    examples: Sequence[str],
    paths: bool = False,
) -> str:
    """The epilog text: each section a paragraph Click prints as written."""
    sections = [PATHS] if paths else []
    sections.append(_section("Environment", environment or ["(none read)"]))
    sections.append(_section("Exit codes", [*exit_codes, *ALWAYS]))
    sections.append(_section("Examples", examples))
    return "\n\n".join(f"\b\n{section}" for section in sections)


def _section(title: str, entries: Sequence[str]) -> str:
    # An entry's continuation lines start with two spaces; they line up under its text.
    return f"{title}:\n" + "\n".join(f"  {entry}".replace("\n", "\n  ") for entry in entries)


VALIDATE = epilog(
    paths=True,
    environment=[ACTIONS],
    exit_codes=["0  every file is valid", "1  a problem in a file (each printed as file:line:col)"],
    examples=["reconciler validate", "reconciler validate examples/integrations/ shop.yaml"],
)

PLAN = epilog(
    paths=True,
    environment=[KEYS, AUTH, API_URL, ACTIONS_REPORT, CI],
    exit_codes=[
        "0  success (with --detailed-exitcode: no changes)",
        "1  an error: invalid files, an API refusal, an integration that could not be read",
        "2  with --detailed-exitcode: changes to apply",
    ],
    examples=[
        "reconciler plan integrations/",
        "reconciler --sandbox plan --format markdown --out plan.json examples/integrations/",
        "reconciler plan --live snapshot.json --format markdown integrations/",
    ],
)

SNAPSHOT = epilog(
    paths=True,
    environment=[KEYS, API_URL],
    exit_codes=[
        "0  the snapshot was written",
        "1  an error: invalid files, an integration that "
        "could not be read (then no file is written)",
    ],
    examples=[
        "reconciler snapshot --out snapshot.json integrations/",
        "reconciler --sandbox snapshot --out snapshot.json --id 23452399 examples/integrations/",
    ],
)

APPLY = epilog(
    paths=True,
    environment=[KEYS, AUTH, API_URL, ACTIONS_REPORT, CI],
    exit_codes=[
        "0  applied, or nothing to do",
        "1  an error, a failed or refused integration (stale, unsafe), or apply cancelled",
    ],
    examples=[
        "reconciler apply integrations/",
        "reconciler apply --plan plan.json --auto-approve --journal apply.jsonl",
    ],
)

DRIFT = epilog(
    paths=True,
    environment=[KEYS, AUTH, API_URL, ACTIONS_REPORT, CI],
    exit_codes=[
        "0  Sendcloud matches git",
        "1  an error: invalid files, an API refusal, an integration that could not be read",
        "2  drift: Sendcloud differs from git",
    ],
    examples=[
        "reconciler drift integrations/",
        "reconciler drift --format markdown > drift.md",
    ],
)

IMPORT = epilog(
    environment=[KEYS, AUTH, API_URL],
    exit_codes=["0  every file written", "1  an error (the others are still written)"],
    examples=["reconciler import 23452345", "reconciler --sandbox import 23452345 --dir shops/"],
)

ADOPT = epilog(
    paths=True,
    environment=[KEYS, AUTH, API_URL],
    exit_codes=["0  every file rewritten (or already matching)", "1  an error"],
    examples=["reconciler adopt integrations/", "reconciler adopt integrations/shop.yaml"],
)

SCHEMA = epilog(
    environment=[],
    exit_codes=["0  printed"],
    examples=["reconciler schema > schemas/integration.schema.json"],
)

SANDBOX_SERVE = epilog(
    environment=[
        "SENDCLOUD_PUBLIC_KEY, SENDCLOUD_SECRET_KEY: the key pair it accepts when both are set;\n"
        "  otherwise sandbox-public-key / sandbox-secret-key",
    ],
    exit_codes=["0  stopped", "1  an error (e.g. the port is taken)"],
    examples=[
        "reconciler sandbox serve --port 8080",
        "curl -u sandbox-public-key:sandbox-secret-key \\\n"
        "    'http://127.0.0.1:8080/api/v3/shop-order-statuses?integration_id=23452345'",
    ],
)

SANDBOX_SHOW = epilog(
    environment=[],
    exit_codes=["0  printed", "1  the state file cannot be read"],
    examples=["reconciler sandbox show 23452345 > shop.yaml"],
)

SANDBOX_SET = epilog(
    environment=[],
    exit_codes=["0  the sandbox holds what FILE says", "1  FILE is invalid: nothing changed"],
    examples=["reconciler sandbox set 23452345 shop.yaml"],
)

SANDBOX_EDIT = epilog(
    environment=[EDITOR],
    exit_codes=[
        "0  saved, or no edit made",
        "1  the edit is invalid: nothing changed, the edited file is kept; or no usable editor",
    ],
    examples=["reconciler sandbox edit 23452345", "EDITOR=nano reconciler sandbox edit 23452345"],
)

COMPLETION = epilog(
    environment=[],
    exit_codes=["0  printed"],
    examples=[
        'eval "$(reconciler completion bash)"        # in ~/.bashrc',
        'eval "$(reconciler completion zsh)"         # in ~/.zshrc',
        "reconciler completion fish > ~/.config/fish/completions/reconciler.fish",
    ],
)

RESTORE = epilog(
    environment=[KEYS, API_URL],
    exit_codes=[
        "0  the restore plan was printed (and saved with --out), or the files rewritten",
        "1  an error: an unreadable journal, an unknown apply, integration or account, an\n"
        "  integration changed since the apply (refused without --force), a file not rewritten",
    ],
    examples=[
        "reconciler restore --journal apply.jsonl --out restore.json",
        "reconciler restore --journal apply.jsonl --only agency-nl --out nl.json integrations/",
        "reconciler restore --journal apply.jsonl --only 23452345 --to-files integrations/",
    ],
)

JOURNAL_SHOW = epilog(
    environment=[],
    exit_codes=["0  printed", "1  the journal cannot be read (the line is named)"],
    examples=["reconciler journal show apply.jsonl --format markdown >> $GITHUB_STEP_SUMMARY"],
)

POLICY_LIST = epilog(
    paths=True,
    environment=[],
    exit_codes=[
        "0  printed",
        "1  a PATH does not exist, or a file or a rule is invalid (each printed as file:line:col)",
    ],
    examples=["reconciler policy list", "reconciler policy list integrations/de/berlin.yaml"],
)
