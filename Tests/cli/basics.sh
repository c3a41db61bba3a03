#!/usr/bin/env bash
# --version, --help, unknown commands and options.
set -euo pipefail
BIN=$1
fail() { echo "basics: $*" >&2; exit 1; }
$BIN --version | grep -q '^cadenza ' || fail "--version"
$BIN --help | grep -q 'Commands:' || fail "--help"
if $BIN nosuchcommand 2>/dev/null; then fail "unknown command exits 0"; fi
$BIN nosuchcommand 2>&1 | grep -q "unknown command" || fail "unknown command message"
