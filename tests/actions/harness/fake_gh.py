"""A stand-in for the `gh` CLI backed by a JSON file: the GitHub a workflow run talks to.

It answers the calls the example workflows make (issues, pull requests, comments, labels,
artifacts of other runs) from one state file, so a later run sees what an earlier one did, and
it records every call (argv and the body it sent) for the test to read. Anything it does not know
fails loudly, like a typo in a real `gh` call would.

Run as a script through the `gh` shim on PATH; the harness uses `FakeGitHub` directly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BOT = "github-actions[bot]"


class GhError(Exception):
    pass


class FakeGitHub:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state_path = root / "state.json"
        self.log_path = root / "calls.jsonl"
        self.artifacts_dir = root / "artifacts"

    # --- state ----------------------------------------------------------------------------

    def init(self, repository: str, origin: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.artifacts_dir.mkdir(exist_ok=True)
        self.save(
            {
                "repository": repository,
                "repository_id": 1,
                "origin": str(origin),
                "next_number": 1,
                "next_id": 1000,
                "clock": 0,
                "issues": {},
                "comments": [],
                "labels": {},
                "artifacts": [],
                "commit_pulls": {},
            }
        )

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state_path.read_text(encoding="utf-8"))
        return data

    def save(self, state: dict[str, Any]) -> None:
        self.state_path.write_text(json.dumps(state, indent=1), encoding="utf-8")

    def calls(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    def issues(self, *, pulls: bool = False) -> list[dict[str, Any]]:
        return [i for i in self.load()["issues"].values() if i["is_pr"] == pulls]

    def comments(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.load()["comments"] if c["issue"] == number]

    def label_names(self, number: int) -> list[str]:
        return list(self.load()["issues"][str(number)]["labels"])

    # --- what the harness sets up ----------------------------------------------------------

    def open_pull_request(self, *, head: str, base: str, head_sha: str, title: str) -> int:
        state = self.load()
        number = self._new_issue(state, title=title, body="", labels=[], is_pr=True)
        state["issues"][str(number)].update(head=head, base=base, head_sha=head_sha)
        self.save(state)
        return number

    def merge_pull_request(self, number: int, merge_sha: str) -> None:
        state = self.load()
        issue = state["issues"][str(number)]
        issue.update(state="closed", merged_at=f"2026-01-01T00:00:{state['clock']:02d}Z")
        state["commit_pulls"].setdefault(merge_sha, []).append(number)
        self.save(state)

    def create_label(self, name: str) -> None:
        state = self.load()
        state["labels"][name] = {"name": name}
        self.save(state)

    def add_artifact(self, run: dict[str, Any], name: str, files: list[Path], base: Path) -> None:
        state = self.load()
        target = self.artifacts_dir / str(run["id"]) / name
        if target.exists():
            raise GhError(f"artifact {name!r} already exists in run {run['id']}")
        for file in files:
            destination = target / file.relative_to(base)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, destination)
        state["clock"] += 1
        minute, second = divmod(state["clock"], 60)
        state["artifacts"].append(
            {
                "id": state["next_id"],
                "name": name,
                "expired": False,
                "created_at": f"2026-01-01T00:{minute:02d}:{second:02d}Z",
                "workflow_run": {
                    "id": run["id"],
                    "head_branch": run["head_branch"],
                    "head_sha": run["head_sha"],
                    "repository_id": state["repository_id"],
                    "head_repository_id": run.get("head_repository_id", state["repository_id"]),
                },
            }
        )
        state["next_id"] += 1
        self.save(state)

    def download_artifact(self, run_id: str, name: str, directory: Path) -> None:
        source = self.artifacts_dir / run_id / name
        if not source.is_dir():
            raise GhError(f"no artifact matches any of the names or patterns provided: {name}")
        shutil.copytree(source, directory, dirs_exist_ok=True)

    # --- the gh command line ---------------------------------------------------------------

    def main(self, argv: list[str]) -> int:
        record: dict[str, Any] = {"args": argv}
        for flag in ("--input", "--body-file"):
            if flag in argv:
                record["body"] = Path(argv[argv.index(flag) + 1]).read_text(encoding="utf-8")
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        try:
            output = self._dispatch(argv)
        except GhError as exc:
            sys.stderr.write(f"gh: {exc}\n")
            return 1
        if output is not None:
            sys.stdout.write(output)
        return 0

    def _dispatch(self, argv: list[str]) -> str | None:
        command = argv[:2]
        options, positional = _parse(argv[2:] if argv[:1] != ["api"] else argv[1:])
        state = self.load()
        if argv[:1] == ["api"]:
            result = self._api(state, options, positional)
        elif command == ["auth", "setup-git"]:
            return None
        elif command == ["run", "download"]:
            self.download_artifact(
                positional[0], _one(options, "--name"), Path(_one(options, "--dir"))
            )
            return None
        elif command == ["label", "create"]:
            state["labels"][positional[0]] = {"name": positional[0]}
            result = None
        elif command[0] in ("issue", "pr"):
            result = self._issues(state, command, options, positional)
        elif command == ["workflow", "run"]:  # recorded; the test runs the dispatched workflow
            fields = dict(field.split("=", 1) for field in options.get("-f", []))
            ref = _one(options, "--ref")
            state.setdefault("dispatches", []).append(
                {"workflow": positional[0], "ref": ref, "inputs": fields}
            )
            result = None
        else:
            raise GhError(f"the fake gh does not know `gh {' '.join(argv[:2])}`")
        self.save(state)
        if "--jq" in options or "--json" in options:
            return _jq(result, options.get("--jq", ["."])[0])
        if isinstance(result, str):
            return result + "\n"
        return None if result is None else json.dumps(result) + "\n"

    def _api(
        self, state: dict[str, Any], options: dict[str, list[str]], positional: list[str]
    ) -> Any:
        method = options.get("--method", ["GET"])[0]
        url = urlsplit(positional[0])
        parts = url.path.strip("/").split("/")
        if parts[:3] != ["repos", *state["repository"].split("/")][:3] or len(parts) < 4:
            raise GhError(f"HTTP 404: {url.path}")
        route = parts[3:]
        body = (
            json.loads(Path(_one(options, "--input")).read_text(encoding="utf-8"))
            if "--input" in options
            else {}
        )
        if route[0] == "issues" and route[-1] == "comments" and method == "GET":
            return [c for c in state["comments"] if c["issue"] == int(route[1])]
        if route[0] == "issues" and route[-1] == "comments" and method == "POST":
            self._issue(state, int(route[1]))
            return self._add_comment(state, int(route[1]), body["body"])
        if route[:2] == ["issues", "comments"] and method == "PATCH":
            comment = next((c for c in state["comments"] if c["id"] == int(route[2])), None)
            if comment is None:
                raise GhError("HTTP 404: comment not found")
            comment["body"] = body["body"]
            return comment
        if route[0] == "issues" and len(route) == 3 and route[2] == "labels" and method == "POST":
            issue = self._issue(state, int(route[1]))
            self._check_labels(state, body["labels"])
            issue["labels"] += [name for name in body["labels"] if name not in issue["labels"]]
            return [{"name": name} for name in issue["labels"]]
        if route[0] == "issues" and len(route) == 4 and route[2] == "labels" and method == "DELETE":
            issue = self._issue(state, int(route[1]))
            name = unquote(route[3])
            if name not in issue["labels"]:
                raise GhError("Label does not exist (HTTP 404)")
            issue["labels"].remove(name)
            return [{"name": n} for n in issue["labels"]]
        if route[:2] == ["actions", "artifacts"] and method == "GET":
            name = parse_qs(url.query).get("name", [None])[0]
            found = [a for a in state["artifacts"] if name is None or a["name"] == name]
            return {"total_count": len(found), "artifacts": list(reversed(found))}
        if route[0] == "commits" and route[-1] == "pulls":
            numbers = state["commit_pulls"].get(route[1], [])
            return [_pull_json(state["issues"][str(n)]) for n in numbers]
        if route[0] == "pulls" and len(route) == 2:
            return _pull_json(self._issue(state, int(route[1]), pr=True))
        raise GhError(f"the fake gh does not know the API route {method} {url.path}")

    def _issues(
        self,
        state: dict[str, Any],
        command: list[str],
        options: dict[str, list[str]],
        positional: list[str],
    ) -> Any:
        kind, action = command
        pulls = kind == "pr"
        body = (
            Path(_one(options, "--body-file")).read_text(encoding="utf-8")
            if "--body-file" in options
            else None
        )
        if action == "list":
            wanted_state = options.get("--state", ["open"])[0]
            found = [
                i
                for i in state["issues"].values()
                if i["is_pr"] == pulls
                and (wanted_state == "all" or i["state"] == wanted_state)
                and all(label in i["labels"] for label in options.get("--label", []))
                and all(i.get("head") == h for h in options.get("--head", []))
                and all(i.get("base") == b for b in options.get("--base", []))
            ]
            return [{"number": i["number"], "title": i["title"]} for i in found]
        if action == "create":
            labels = options.get("--label", [])
            self._check_labels(state, labels)
            if pulls:
                head = _one(options, "--head")
                head_sha = _branch_sha(Path(state["origin"]), head)
                if not head_sha:
                    raise GhError(f"pull request create failed: head branch {head!r} not pushed")
            number = self._new_issue(
                state, title=_one(options, "--title"), body=body or "", labels=labels, is_pr=pulls
            )
            if pulls:
                state["issues"][str(number)].update(
                    head=head, base=_one(options, "--base"), head_sha=head_sha
                )
            return (
                f"https://github.com/{state['repository']}/{'pull' if pulls else 'issues'}/{number}"
            )
        issue = self._issue(state, int(positional[0]), pr=pulls)
        if action == "edit":
            if pulls and issue.get("head"):  # a force-pushed branch moves the pull request
                issue["head_sha"] = _branch_sha(Path(state["origin"]), issue["head"])
            if body is not None:
                issue["body"] = body
            self._check_labels(state, options.get("--add-label", []))
            for label in options.get("--add-label", []):
                if label not in issue["labels"]:
                    issue["labels"].append(label)
            for label in options.get("--remove-label", []):
                if label in issue["labels"]:
                    issue["labels"].remove(label)
            return None
        if action == "close":
            issue["state"] = "closed"
            if "--comment" in options:
                self._add_comment(state, issue["number"], _one(options, "--comment"))
            return None
        if action == "comment":
            self._add_comment(
                state, issue["number"], body if body is not None else _one(options, "--body")
            )
            return None
        raise GhError(f"the fake gh does not know `gh {kind} {action}`")

    def _new_issue(
        self, state: dict[str, Any], *, title: str, body: str, labels: list[str], is_pr: bool
    ) -> int:
        number = state["next_number"]
        state["next_number"] += 1
        state["issues"][str(number)] = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "labels": list(labels),
            "is_pr": is_pr,
        }
        return int(number)

    def _issue(
        self, state: dict[str, Any], number: int, *, pr: bool | None = None
    ) -> dict[str, Any]:
        issue = state["issues"].get(str(number))
        if issue is None or (pr is not None and issue["is_pr"] != pr):
            raise GhError(f"could not resolve to an issue or pull request with the number {number}")
        return issue

    def _add_comment(self, state: dict[str, Any], number: int, body: str) -> dict[str, Any]:
        comment = {"id": state["next_id"], "issue": number, "body": body, "user": {"login": BOT}}
        state["next_id"] += 1
        state["comments"].append(comment)
        return comment

    def _check_labels(self, state: dict[str, Any], labels: list[str]) -> None:
        for label in labels:
            if label not in state["labels"]:
                raise GhError(f"'{label}' not found")


def _pull_json(issue: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": issue["number"],
        "state": issue["state"],
        "merged_at": issue.get("merged_at"),
        "head": {"ref": issue.get("head"), "sha": issue.get("head_sha")},
        "base": {"ref": issue.get("base")},
    }


def _parse(args: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    flags = {"--paginate", "--force", "--silent"}
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
            options.setdefault(name, []).append(value)
        elif arg in flags:
            options.setdefault(arg, []).append("")
        elif arg.startswith("-") and len(arg) > 1:
            options.setdefault(arg, []).append(args[index + 1])
            index += 1
        else:
            positional.append(arg)
        index += 1
    return options, positional


def _one(options: dict[str, list[str]], name: str) -> str:
    values = options.get(name)
    if not values:
        raise GhError(f"required flag {name} not given")
    return values[-1]


def _jq(result: Any, expression: str) -> str:
    # gh's --jq prints strings raw, like `jq -r`.
    done = subprocess.run(
        ["jq", "-r", expression],
        input=json.dumps(result),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise GhError(f"jq failed: {done.stderr.strip()}")
    return done.stdout


def _branch_sha(origin: Path, branch: str) -> str:
    """The branch's last commit in the origin repository; "" when there is no such branch."""
    command = ["git", "--git-dir", str(origin), "rev-parse", "--verify", "--quiet"]
    done = subprocess.run([*command, f"refs/heads/{branch}"], capture_output=True, check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else ""


if __name__ == "__main__":
    sys.exit(FakeGitHub(Path(os.environ["FAKE_GH_ROOT"])).main(sys.argv[1:]))
