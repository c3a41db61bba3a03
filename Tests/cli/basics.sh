#!/usr/bin/env bash
# --version, --help, unknown commands and options.
set -euo pipefail
BIN=$1
fail() { echo "basics: $*" >&2; exit 1; }
$BIN --version | grep -q '^cadenza ' || fail "--version"
$BIN -V | grep -q '^cadenza ' || fail "-V"
$BIN --help | grep -q 'Commands:' || fail "--help"
if out=$($BIN nosuchcommand 2>&1); then fail "unknown command exits 0"; fi
grep -q "unknown command" <<<"$out" || fail "unknown command message: $out"
if out=$($BIN infoo x.mid 2>&1); then fail "misspelt command exits 0"; fi
grep -q "did you mean 'info'" <<<"$out" || fail "no suggestion for a misspelt command: $out"
