#!/usr/bin/env bash
# The quick start: install the tool, then run the main job against the embedded simulator
# (no Sendcloud account, no credentials). Safe to run again: it starts from an empty sandbox.
# The sandbox state is the CLI's default (.reconciler/sandbox.json), so every later
# `reconciler --sandbox ...` command sees what the quick start left there.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -e .

rm -f .reconciler/sandbox.json
rm -f .reconciler/sandbox.*.json # a fleet's accounts: one sandbox each, next to it
step() {
  printf '\n$ reconciler --sandbox %s\n' "$*"
  .venv/bin/reconciler --sandbox "$@"
}

# The shop module pushes its statuses (what a real PrestaShop shop does on its own).
step apply --auto-approve examples/sandbox/ >/dev/null 2>&1
step validate examples/integrations/
step plan examples/integrations/
step apply --auto-approve --journal .reconciler/quickstart-journal.jsonl examples/integrations/
step drift examples/integrations/

# An agency fleet: two Sendcloud accounts (examples/fleet/reconciler.yaml), one shared base,
# shops with overrides. In the sandbox each account's simulator accepts the key pair its
# variables hold (NL_SENDCLOUD_PUBLIC_KEY, ...) or, when they are unset, the sandbox pair.
step validate examples/fleet/integrations/
step plan examples/fleet/integrations/
step apply --auto-approve examples/fleet/integrations/
step drift examples/fleet/integrations/
printf '\nDone: Sendcloud (simulated, in .reconciler/sandbox*.json) now matches examples/integrations/ and examples/fleet/.\n'
printf 'Next, activate the virtualenv and plan again (no changes), or change the sandbox by hand:\n'
printf '  source .venv/bin/activate\n'
printf '  reconciler --sandbox plan examples/integrations/\n'
printf '  reconciler sandbox show 23452345\n'
