#!/usr/bin/env bash
# Packs an example charm (its Cargo package name) with cargo-charm and lints the .charm with
# `charmcraft analyse`. Exits non-zero on any linter error or warning (or a failed build), so CI
# can call it; each example's own analyse.sh calls it with its package:
#
#   examples/analyse.sh greeter-charm
#
# charmcraft comes from a Python venv at $VENV (default: target/charmcraft-venv), created
# with charmcraft 4.5.0 if missing. `charmcraft analyse` needs no network, LXD or snapd.
set -euo pipefail

package="${1:?usage: examples/analyse.sh <example package, e.g. greeter-charm>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
VENV="${VENV:-$root/target/charmcraft-venv}"

if [ ! -x "$VENV/bin/charmcraft" ]; then
    echo "Installing charmcraft 4.5.0 into $VENV" >&2
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q charmcraft==4.5.0
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# `cargo charm pack -p <package>`, without installing the subcommand.
charm="$(cd "$root" && cargo run --quiet -p cargo-charm -- charm pack -p "$package" --output "$out")"
echo "Packed $charm" >&2
(cd "$out" && sha256sum -c --quiet "$charm.sha256" && sha512sum -c --quiet "$charm.sha512")

# analyse parses a charmcraft.yaml in its working directory, if any: run it where there is none.
cd "$out"
export XDG_RUNTIME_DIR="$out/runtime"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
status=0
"$VENV/bin/charmcraft" analyse "$charm" || status=$?
# Belt and braces: also fail on any error, warning or fatal result in the JSON report, whatever
# the exit code says.
"$VENV/bin/charmcraft" analyse --format=json "$charm" >analyse.json || true
"$VENV/bin/python" - analyse.json <<'PY' || status=1
import json, sys
results = json.load(open(sys.argv[1]))
bad = [r for r in results if r["result"] in ("warning", "error", "fatal")]
for r in bad:
    print(f"{r['name']}: {r['result']}: {r['text']}", file=sys.stderr)
print(f"charmcraft analyse: {len(results)} checks, {len(bad)} errors or warnings", file=sys.stderr)
sys.exit(1 if bad or not results else 0)
PY
exit "$status"
