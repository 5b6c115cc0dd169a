"""Every error about a URL names the setting that supplied it, with an example of a good one."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from reconciler.sendcloud.transport import describe_error
from tests.reliability.conftest import VALID, Run

pytestmark = pytest.mark.usefixtures("isolated", "fast_client")

TOKEN_EXAMPLE = "e.g. https://account.sendcloud.com/oauth2/token"


@pytest.fixture
def oauth2(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("SENDCLOUD_AUTH", "oauth2")
    Path("shop.yaml").write_text(VALID)
    return monkeypatch


def test_a_token_url_that_is_not_https_names_its_variable_and_a_token_url_example(
    cli: Run, oauth2: pytest.MonkeyPatch, api_url: str
) -> None:
    oauth2.setenv("SENDCLOUD_TOKEN_URL", "ftp://x/y")

    outcome = cli("--api-url", api_url, "plan", "shop.yaml")

    assert outcome.code == 1
    assert outcome.err == (
        "Error: The token URL (from SENDCLOUD_TOKEN_URL) is 'ftp://x/y', not an https:// URL "
        f"with a host ({TOKEN_EXAMPLE}).\n"
    )


def test_an_unreachable_token_url_names_its_variable_not_the_api_url(
    cli: Run, oauth2: pytest.MonkeyPatch, api_url: str
) -> None:
    oauth2.setenv("SENDCLOUD_TOKEN_URL", "http://127.0.0.1:9/oauth2/token")

    outcome = cli("--api-url", api_url, "plan", "shop.yaml")

    assert outcome.code == 1
    assert "Check the token URL (from SENDCLOUD_TOKEN_URL) and that the server" in outcome.out
    assert "--api-url" not in outcome.out


def test_the_default_token_url_says_which_variable_changes_it() -> None:
    cause = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    error = httpx.ConnectError("cannot connect")
    error.__cause__ = cause
    setting = "the token URL (Sendcloud's, as SENDCLOUD_TOKEN_URL is not set)"

    failure = describe_error(
        error, "https://account.sendcloud.com/oauth2/token", 1.0, setting=setting
    )

    assert f"not retried: check {setting} and the network" in str(failure)


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--api-url", "ftp://x"], {}, "The API URL (from --api-url) is 'ftp://x'"),
        ([], {"SENDCLOUD_API_URL": "ftp://x"}, "The API URL (from SENDCLOUD_API_URL) is 'ftp://x'"),
        (["--api-url", "http://[::1"], {}, "The API URL (from --api-url) cannot be parsed"),
    ],
)
def test_an_api_url_names_the_option_or_variable_that_gave_it(
    cli: Run, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    Path("shop.yaml").write_text(VALID)

    outcome = cli(*args, "plan", "shop.yaml")

    assert outcome.code == 1
    assert outcome.err.startswith(f"Error: {named}")
    assert "https://panel.sendcloud.sc/api/v3" in outcome.err


def test_an_account_api_url_names_the_project_file_key(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NL_PUBLIC", "public")
    monkeypatch.setenv("NL_SECRET", "secret")
    Path("reconciler.yaml").write_text(
        "accounts:\n"
        "  agency-nl:\n"
        '    paths: ["integrations/**"]\n'
        "    public_key_env: NL_PUBLIC\n"
        "    secret_key_env: NL_SECRET\n"
        "    api_url: http://example.com/api/v3\n"
    )
    Path("integrations").mkdir()
    Path("integrations/shop.yaml").write_text(VALID)

    outcome = cli("plan", "integrations")

    assert outcome.code == 1
    assert (
        "plain http to example.com, the host of the API URL (from accounts.agency-nl.api_url "
        "in the project file)" in outcome.text
    )
