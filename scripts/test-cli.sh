#!/usr/bin/env bash
# End-to-end checks of the built binary, one script per command in Tests/cli/
# (each gets the binary's path as $1 and exits non-zero on failure).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/cadenza}")
status=0
for t in Tests/cli/*.sh; do
  if bash "$t" "$BIN"; then echo "ok   $t"; else echo "FAIL $t"; status=1; fi
done
exit $status
