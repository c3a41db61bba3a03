#!/usr/bin/env bash
# MIDI reading speed: every file of the corpus (scores and performances) read by
# `cadenza info --totals` (parse + summary, best of 3 runs) and by Python's mido
# (MidiFile + note count) in the same run. Prints files/s, MB/s, notes/s and the ratio.
# Times are measured inside each program, so process and interpreter start-up are excluded.
set -uo pipefail
BIN=$(realpath "${1:-.build/release/cadenza}")
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
PY=.venv/bin/python
[ -d "$CORPUS" ] || { echo "bench/midi.sh: no corpus at $CORPUS (set CORPUS=DIR)"; exit 1; }

row() { awk -v name="$1" -v f="$2" -v b="$3" -v n="$4" -v s="$5" 'BEGIN {
  printf "%-22s %6d %8.1f %9d %9.3f %10.0f %9.1f %12.0f\n", name, f, b / 1e6, n, s, f / s, b / 1e6 / s, n / s }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

best=""
for run in 1 2 3; do
  out=$("$BIN" info --totals "$CORPUS") || { echo "bench/midi.sh: cadenza info failed: $out"; exit 1; }
  s=$(field seconds "$out")
  if [ -z "$best" ] || awk -v a="$s" -v b="$(field seconds "$best")" 'BEGIN { exit !(a < b) }'; then best=$out; fi
done
printf "%-22s %6s %8s %9s %9s %10s %9s %12s\n" reader files MB notes seconds files/s MB/s notes/s
row "cadenza (best of 3)" "$(field files "$best")" "$(field bytes "$best")" "$(field notes "$best")" "$(field seconds "$best")"

if [ -x "$PY" ] && "$PY" -c "import mido" 2>/dev/null; then
  mido=$("$PY" - "$CORPUS" <<'PY'
import os, sys, time, mido
paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(sys.argv[1]) for f in fs if f.lower().endswith((".mid", ".midi")))
start = time.perf_counter()
notes = size = 0
for p in paths:
    m = mido.MidiFile(p)
    size += os.path.getsize(p)
    notes += sum(1 for t in m.tracks for msg in t if msg.type == "note_on" and msg.velocity > 0)
print(f"files={len(paths)} bytes={size} notes={notes} seconds={time.perf_counter() - start}")
PY
)
  version=$("$PY" -c "import importlib.metadata as m; print(m.version('mido'))")
  row "mido $version" "$(field files "$mido")" "$(field bytes "$mido")" "$(field notes "$mido")" "$(field seconds "$mido")"
  [ "$(field notes "$mido")" = "$(field notes "$best")" ] || echo "warning: note counts differ"
  awk -v a="$(field seconds "$mido")" -v b="$(field seconds "$best")" 'BEGIN { printf "cadenza is %.0fx faster than mido\n", a / b }'
else
  echo "mido: not installed (run scripts/test-setup.sh for .venv); no ratio"
fi
