#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (seconds each, default 60) and prints the executions
# of each. The corpus grows under fuzz/corpus/<target> (only the seed-* files are committed);
# crashes land in fuzz/artifacts/<target>. Needs nightly and cargo-fuzz
# (`cargo install cargo-fuzz --locked`). Not part of .ci/run.
set -euo pipefail

secs="${1:-60}"
cd "$(dirname "$0")"
targets=(hook_env config_yaml databags tool_output)
declare -A execs status

cargo +nightly fuzz build
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    log="$(mktemp)"
    echo "== $t (${secs}s)"
    if cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" 2>"$log"; then
        status[$t]=ok
    else
        status[$t]="CRASH (see fuzz/artifacts/$t)"
    fi
    tail -n 3 "$log"
    # libFuzzer's final line: "Done N runs in S second(s)"; on a crash, the last "#N" status line.
    n="$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -n1 || true)"
    [ -n "$n" ] || n="$(grep -oE '^#[0-9]+' "$log" | tr -d '#' | tail -n1 || true)"
    execs[$t]="${n:-?}"
    rm -f "$log"
done

echo
printf '%-12s %12s  %s\n' target executions result
for t in "${targets[@]}"; do
    printf '%-12s %12s  %s\n' "$t" "${execs[$t]}" "${status[$t]}"
done
