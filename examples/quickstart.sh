#!/usr/bin/env bash
# The quick start: install the tool, then run the main job against the embedded simulator
# (no Sendcloud account, no credentials). Safe to run again: it starts from an empty sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -e .

state=.reconciler/quickstart.json
rm -f "$state"
step() {
  printf '\n$ reconciler --sandbox %s\n' "$*"
  .venv/bin/reconciler --sandbox --sandbox-state "$state" "$@"
}

# The shop module pushes its statuses (what a real PrestaShop shop does on its own).
step apply --auto-approve examples/sandbox/ >/dev/null 2>&1
step validate examples/integrations/
step plan examples/integrations/
step apply --auto-approve --journal .reconciler/quickstart-journal.jsonl examples/integrations/
step drift examples/integrations/
printf '\nDone: Sendcloud (simulated, in %s) now matches examples/integrations/.\n' "$state"
