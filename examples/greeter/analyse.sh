#!/usr/bin/env bash
# Packs the greeter example with cargo-charm and lints the .charm with `charmcraft analyse`
# (examples/analyse.sh, shared by the examples). Exits non-zero on any linter error or warning.
exec "$(dirname "${BASH_SOURCE[0]}")/../analyse.sh" greeter-charm
