#!/usr/bin/env bash
# `cadenza ports`: lists receiving ports where there is a sequencer; where there is none
# (no /dev/snd/seq, as on CI machines) a clear message and exit status 3.
set -uo pipefail
BIN=$1
fail() { echo "ports: $*" >&2; exit 1; }
out=$("$BIN" ports 2>&1); status=$?
if [ -e /dev/snd/seq ]; then
  [ $status -eq 0 ] || fail "exit $status with a sequencer: $out"
else
  [ $status -eq 3 ] || fail "expected exit 3 without /dev/snd/seq, got $status: $out"
  grep -q "ALSA sequencer unavailable: no /dev/snd/seq" <<<"$out" || fail "unclear message: $out"
  [ "$(wc -l <<<"$out")" -eq 1 ] || fail "expected one line (no alsa-lib noise): $out"
fi
"$BIN" ports --help | grep -q "Exit status" || fail "help does not document the exit status"
"$BIN" ports extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "an extra argument should exit 2"
exit 0
