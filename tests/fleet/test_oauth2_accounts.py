"""OAuth2 accounts: each account asks its own token endpoint (``token_url`` in the project file,
else SENDCLOUD_TOKEN_URL, else Sendcloud's) for tokens with its own key pair."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fleet.support import PROJECT, Fleet, reads

# Nothing listens on port 9: a token URL used by mistake fails the plan.
DEAD_TOKEN_URL = "http://127.0.0.1:9/oauth2/token"


def _oauth2_project(fleet: Fleet, nl_token_url: str, be_token_url: str) -> str:
    project = PROJECT.format(nl_url=fleet.nl.base_url, be_url=fleet.be.base_url)
    for name, url in (("NL", nl_token_url), ("BE", be_token_url)):
        variable = f"    secret_key_env: {name}_SENDCLOUD_SECRET_KEY\n"
        project = project.replace(variable, f"{variable}    auth: oauth2\n    token_url: {url}\n")
    return project


@pytest.fixture
def oauth2_only(fleet: Fleet) -> Iterator[Fleet]:
    """Both simulators refuse Basic, as an integration set to OAuth2 in the panel does."""
    for server in (fleet.nl, fleet.be):
        server.simulator.configure(require_oauth2=True)
    try:
        yield fleet
    finally:
        for server in (fleet.nl, fleet.be):
            server.simulator.configure(require_oauth2=False)


def test_each_oauth2_account_gets_its_tokens_from_its_own_token_url(
    oauth2_only: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = oauth2_only
    # The accounts' own URLs win over the variable (which points nowhere).
    monkeypatch.setenv("SENDCLOUD_TOKEN_URL", DEAD_TOKEN_URL)
    fleet.write_project(
        _oauth2_project(
            fleet, f"{fleet.nl.root_url}/oauth2/token", f"{fleet.be.root_url}/oauth2/token"
        )
    )
    fleet.shop("nl", 1, paid="Paid (NL)")
    fleet.shop("be", 11, paid="Paid (BE)")
    fleet.seed(fleet.nl, [1])
    fleet.seed(fleet.be, [11])

    code, out, err = fleet.run("apply", "integrations/", "--auto-approve")

    assert code == 0, out + err
    assert "Apply complete: 2 applied, 0 in sync, 0 failed (2 writes)." in err
    # One token per account, each from its own endpoint (each accepts its own key pair only).
    assert fleet.nl.simulator.tokens.issued == 1
    assert fleet.be.simulator.tokens.issued == 1
    assert all(e.status == 200 for e in reads(fleet.nl) + reads(fleet.be))
    code, out, _ = fleet.run("plan", "integrations/", "--detailed-exitcode")
    assert code == 0, out


def test_an_oauth2_account_without_token_url_uses_sendcloud_token_url(
    oauth2_only: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = oauth2_only
    monkeypatch.setenv("SENDCLOUD_TOKEN_URL", f"{fleet.be.root_url}/oauth2/token")
    project = _oauth2_project(fleet, f"{fleet.nl.root_url}/oauth2/token", "x")
    fleet.write_project(project.replace("    token_url: x\n", ""))
    fleet.shop("be", 11)
    fleet.seed(fleet.be, [11])

    code, out, err = fleet.run("plan", "integrations/")

    assert code == 0, out + err
    assert fleet.be.simulator.tokens.issued == 1


def test_an_unsafe_token_url_fails_its_account_only_naming_the_key(
    oauth2_only: Fleet,
) -> None:
    fleet = oauth2_only
    fleet.write_project(
        _oauth2_project(
            fleet, f"{fleet.nl.root_url}/oauth2/token", "http://tokens.example/oauth2/token"
        )
    )
    fleet.shop("nl", 1)
    fleet.shop("be", 11)
    fleet.seed(fleet.nl, [1])

    code, out, _ = fleet.run("plan", "integrations/")

    assert code == 1
    assert "= integration 1 (integrations/nl/1.yaml): in sync" in out
    assert (
        "! integration 11 (integrations/be/11.yaml): could not read live state: Refusing to send "
        "the API key pair over plain http to tokens.example, the host of the token URL (from "
        "accounts.agency-be.token_url in the project file)"
    ) in out
    assert fleet.be.simulator.log.entries() == []


def test_a_token_url_on_a_basic_account_is_a_located_error(fleet: Fleet) -> None:
    project = PROJECT.format(nl_url=fleet.nl.base_url, be_url=fleet.be.base_url)
    fleet.write_project(
        project.replace(
            "    secret_key_env: BE_SENDCLOUD_SECRET_KEY\n",
            "    secret_key_env: BE_SENDCLOUD_SECRET_KEY\n    token_url: https://t.example/token\n",
        )
    )
    fleet.shop("be", 11)

    code, _, err = fleet.run("validate", "integrations/")

    assert code == 1
    assert (
        "reconciler.yaml:9:3: accounts.agency-be: token_url is the OAuth2 token endpoint, but "
        "this account's auth is basic; add `auth: oauth2` or remove token_url"
    ) in err
