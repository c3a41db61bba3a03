#!/usr/bin/env bash
# Offline render speed: `cadenza render` (built-in piano, and the FluidR3 SoundFont)
# against FluidSynth's offline render of the same MIDI files (fluidsynth -ni -F), in
# one run. Reports CPU seconds (user+sys, i.e. one core's work: robust on a busy
# machine) and the real-time factor = audio seconds / CPU seconds.
set -uo pipefail
BIN=${1:-.build/release/cadenza}
cd "$(dirname "$0")/.."
FILES=${SYNTH_BENCH_FILES:-"Tests/Fixtures/chpn-p7.mid Tests/Fixtures/mendel_op19_6.mid Tests/Fixtures/asap_prelude_bwv_866_SOLOM02.mid"}
TIM=/usr/share/sounds/sf2/TimGM6mb.sf2
FLUID=/usr/share/sounds/sf2/FluidR3_GM.sf2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -x "$BIN" ] || { echo "synth bench: no binary at $BIN (make build)"; exit 1; }

# cpu_seconds CMD...: runs CMD, prints user+sys CPU seconds of it and its children.
cpu_seconds() {
  local TIMEFORMAT='%U %S'
  { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{ printf "%.3f", $1 + $2 }'
}
duration() { soxi -D "$1" 2>/dev/null || echo 0; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else printf "-" }'; }

printf '%-34s %7s | %-16s | %-16s | %-16s | %-16s | %s\n' "file" "audio s" "cadenza builtin" "cadenza FluidR3" "fluidsynth Tim" "fluidsynth R3" "builtin vs fluidsynth R3"
for f in $FILES; do
  [ -f "$f" ] || continue
  name=$(basename "$f" .mid)
  c1=$(cpu_seconds "$BIN" render "$f" -o "$tmp/c.wav" -q)
  audio=$(duration "$tmp/c.wav")
  c2="-"; [ -f "$FLUID" ] && c2=$(cpu_seconds "$BIN" render "$f" -o "$tmp/c2.wav" -q --soundfont "$FLUID")
  f1="-"; f2="-"
  if command -v fluidsynth >/dev/null; then
    [ -f "$TIM" ] && f1=$(cpu_seconds fluidsynth -ni -q -r 44100 -F "$tmp/f1.wav" "$TIM" "$f")
    [ -f "$FLUID" ] && f2=$(cpu_seconds fluidsynth -ni -q -r 44100 -F "$tmp/f2.wav" "$FLUID" "$f")
  fi
  fmt() { [ "$1" = "-" ] && printf '%-16s' "-" || printf '%-16s' "$1 s $(ratio "$audio" "$1")"; }
  printf '%-34s %7.1f | %s | %s | %s | %s | %s\n' "$name" "$audio" "$(fmt "$c1")" "$(fmt "$c2")" "$(fmt "$f1")" "$(fmt "$f2")" \
    "$([ "$f2" = "-" ] && echo - || awk -v a="$f2" -v b="$c1" 'BEGIN { printf "%.2fx as fast", a / b }')"
done
echo "(CPU seconds of one process; NNx = audio seconds per CPU second. FluidR3 times include loading the 145 MB font.)"
