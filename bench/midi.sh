#!/usr/bin/env bash
# MIDI reading speed: every file of the corpus (scores and performances) read by
# `cadenza info --totals` (parse + summary, best of 3 runs) and by Python's mido
# (MidiFile + note count) in the same run. Prints files/s, MB/s, notes/s and the ratio,
# by wall-clock time and by CPU time (the CPU ratio is the steadier one on a busy machine).
# Times are measured inside each program, so process and interpreter start-up are excluded.
set -uo pipefail
BIN=$(realpath "${1:-.build/release/cadenza}")
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
PY=.venv/bin/python
[ -d "$CORPUS" ] || { echo "bench/midi.sh: no corpus at $CORPUS (set CORPUS=DIR)"; exit 1; }

field() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<<"$2"; }
row() {  # name, totals line, which time field
  awk -v name="$1" -v f="$(field files "$2")" -v b="$(field bytes "$2")" -v n="$(field notes "$2")" -v s="$(field "$3" "$2")" 'BEGIN {
    printf "%-26s %6d %8.1f %9d %9.3f %10.0f %9.1f %12.0f\n", name, f, b / 1e6, n, s, f / s, b / 1e6 / s, n / s }'
}

best=""
for run in 1 2 3; do
  out=$("$BIN" info --totals "$CORPUS") || { echo "bench/midi.sh: cadenza info failed: $out"; exit 1; }
  if [ -z "$best" ] || awk -v a="$(field cpu_seconds "$out")" -v b="$(field cpu_seconds "$best")" 'BEGIN { exit !(a < b) }'; then best=$out; fi
done

mido=""
if [ -x "$PY" ] && "$PY" -c "import mido" 2>/dev/null; then
  mido=$("$PY" - "$CORPUS" <<'PY'
import os, sys, time, mido
paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(sys.argv[1]) for f in fs if f.lower().endswith((".mid", ".midi")))
wall, cpu = time.perf_counter(), time.process_time()
notes = size = 0
for p in paths:
    m = mido.MidiFile(p)
    size += os.path.getsize(p)
    notes += sum(1 for t in m.tracks for msg in t if msg.type == "note_on" and msg.velocity > 0)
print(f"files={len(paths)} bytes={size} notes={notes} seconds={time.perf_counter() - wall} cpu_seconds={time.process_time() - cpu}")
PY
)
  version=$("$PY" -c "import importlib.metadata as m; print(m.version('mido'))")
fi

printf "%-26s %6s %8s %9s %9s %10s %9s %12s\n" reader files MB notes seconds files/s MB/s notes/s
row "cadenza, wall clock" "$best" seconds
[ -n "$mido" ] && row "mido $version, wall clock" "$mido" seconds
row "cadenza, CPU" "$best" cpu_seconds
[ -n "$mido" ] && row "mido $version, CPU" "$mido" cpu_seconds
if [ -n "$mido" ]; then
  [ "$(field notes "$mido")" = "$(field notes "$best")" ] || echo "warning: cadenza and mido count different notes"
  awk -v mw="$(field seconds "$mido")" -v cw="$(field seconds "$best")" -v mc="$(field cpu_seconds "$mido")" -v cc="$(field cpu_seconds "$best")" \
    'BEGIN { printf "cadenza / mido: %.0fx faster by wall clock, %.0fx by CPU time\n", mw / cw, mc / cc }'
else
  echo "mido: not installed (run scripts/test-setup.sh for .venv); no ratio"
fi
