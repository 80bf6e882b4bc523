#!/usr/bin/env bash
# Runs the README's test command with two busy-loop processes beside it (issue 9 §6: a test that passes only on an idle
# machine is a failing test). Same arguments and closing line as tests/run-tests.sh; the loops stop with it.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
loops=()
for _ in 1 2; do (while :; do :; done) & loops+=($!); done
trap 'kill "${loops[@]}" 2>/dev/null' EXIT
bash "$root/tests/run-tests.sh" "$@"
