#!/usr/bin/env bash
# The SoundFont player's level against FluidSynth's: renders fixture pieces with
# `cadenza render --soundfont` and with `fluidsynth -F` (both without reverb and chorus,
# both at their default gain) and prints each RMS level (sox stats) and the difference.
# Usage: scripts/soundfont-levels.sh CADENZA [FONT.sf2 ...] (default: TimGM6mb and FluidR3_GM).
# Needs fluidsynth, sox and bc. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:?usage: scripts/soundfont-levels.sh /path/to/cadenza [FONT.sf2 ...]}
shift
FONTS=("$@")
[ ${#FONTS[@]} -gt 0 ] || FONTS=(/usr/share/sounds/sf2/TimGM6mb.sf2 /usr/share/sounds/sf2/FluidR3_GM.sf2)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rms() { sox "$1" -n stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }
for font in "${FONTS[@]}"; do
  [ -f "$font" ] || { echo "soundfont-levels: $font not found, skipped"; continue; }
  for piece in chpn-p7 debussy_cc_5 asap_prelude_bwv_866_SOLOM02 mendel_op19_6; do
    "$BIN" render "Tests/Fixtures/$piece.mid" -o "$T/c.wav" --soundfont "$font" --no-reverb -q > /dev/null
    fluidsynth -ni -R 0 -C 0 -F "$T/f.wav" -r 44100 "$font" "Tests/Fixtures/$piece.mid" > /dev/null 2>&1
    c=$(rms "$T/c.wav"); f=$(rms "$T/f.wav")
    printf "%-30s %-16s cadenza %7s dB  fluidsynth %7s dB  difference %+.2f dB\n" \
      "$piece" "$(basename "$font")" "$c" "$f" "$(echo "$c - $f" | bc -l)"
  done
done
