#!/usr/bin/env bash
# End-to-end checks of the built binary: exit codes and messages a user sees.
set -euo pipefail
BIN=${1:-.build/release/cadenza}
fail() { echo "test-cli: FAIL: $*"; exit 1; }
$BIN --version | grep -q '^cadenza ' || fail "--version"
$BIN --help | grep -q 'Commands:' || fail "--help"
set +e
$BIN nosuchcommand 2>/dev/null; [ $? -ne 0 ] || fail "unknown command exits 0"
set -e
echo "test-cli: ok"
