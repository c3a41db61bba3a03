#!/usr/bin/env bash
# cadenza render end to end: WAV (16/24/float) read back by soxi, the length of the
# music plus the tail, MP3 when LAME is present, a SoundFont, and clear errors for a
# missing input, a bad extension, a corrupt SoundFont and a bad option value.
set -euo pipefail
BIN=$1
cd "$(dirname "$0")/../.."
fail() { echo "render: $*" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
MID=Tests/Fixtures/chpn-p7.mid

"$BIN" render "$MID" --output "$tmp/out.wav" -q >"$tmp/log" || fail "render to wav failed: $(cat "$tmp/log")"
grep -q "wrote" "$tmp/log" || fail "no summary line"
[ -s "$tmp/out.wav" ] || fail "no wav written"
ls -a "$tmp" | grep -q '\.tmp$' && fail "temporary file left behind"
if command -v soxi >/dev/null; then
  [ "$(soxi -r "$tmp/out.wav")" = 44100 ] || fail "sample rate"
  [ "$(soxi -c "$tmp/out.wav")" = 2 ] || fail "channels"
  [ "$(soxi -b "$tmp/out.wav")" = 16 ] || fail "bit depth"
  seconds=$(soxi -D "$tmp/out.wav")
  awk -v s="$seconds" 'BEGIN { exit !(s > 35 && s < 50) }' || fail "duration $seconds s"
  # Never clips: the peak stays under full scale.
  peak=$(sox "$tmp/out.wav" -n stat 2>&1 | awk '/Maximum amplitude/ { print $3 }')
  awk -v p="$peak" 'BEGIN { exit !(p < 0.999) }' || fail "peak $peak"
  "$BIN" render "$MID" -o "$tmp/r22.wav" --sample-rate 22050 --bit-depth 24 --gain -6 -q >/dev/null || fail "24-bit"
  [ "$(soxi -r "$tmp/r22.wav")" = 22050 ] && [ "$(soxi -b "$tmp/r22.wav")" = 24 ] || fail "22050 Hz 24-bit header"
  "$BIN" render "$MID" -o "$tmp/f.wav" --bit-depth 32f -q >/dev/null || fail "float"
  soxi -e "$tmp/f.wav" | grep -q "Floating Point" || fail "float header"
else
  echo "render: soxi not installed; header checks skipped"
fi

if command -v lame >/dev/null || ldconfig -p 2>/dev/null | grep -q libmp3lame; then
  "$BIN" render "$MID" -o "$tmp/out.mp3" -q >/dev/null || fail "mp3"
  [ -s "$tmp/out.mp3" ] || fail "empty mp3"
  command -v soxi >/dev/null && { soxi "$tmp/out.mp3" >/dev/null 2>&1 || echo "render: this sox cannot read mp3; size check only"; }
else
  echo "render: no LAME; mp3 check skipped"
fi

SF=/usr/share/sounds/sf2/TimGM6mb.sf2
if [ -f "$SF" ]; then
  "$BIN" render "$MID" -o "$tmp/sf.wav" --soundfont "$SF" -q >/dev/null || fail "soundfont render"
  [ -s "$tmp/sf.wav" ] || fail "soundfont wav"
else
  echo "render: TimGM6mb not installed; SoundFont render skipped"
fi

# Errors: clear messages, non-zero status, no output file.
out=$("$BIN" render "$tmp/missing.mid" -o "$tmp/x.wav" 2>&1) && fail "missing input accepted"
echo "$out" | grep -qi "missing.mid" || fail "missing-input message: $out"
out=$("$BIN" render "$MID" -o "$tmp/x.ogg" 2>&1) && fail ".ogg accepted"
echo "$out" | grep -q ".wav or .mp3" || fail "extension message: $out"
head -c 5000 "$SF" 2>/dev/null > "$tmp/bad.sf2" || printf 'RIFF\x10\x00\x00\x00sfbkjunk' > "$tmp/bad.sf2"
out=$("$BIN" render "$MID" -o "$tmp/x.wav" --soundfont "$tmp/bad.sf2" 2>&1) && fail "corrupt soundfont accepted"
echo "$out" | grep -q "SoundFont" || fail "corrupt soundfont message: $out"
out=$("$BIN" render "$MID" -o "$tmp/x.wav" --bit-depth 12 2>&1) && fail "bit depth 12 accepted"
echo "$out" | grep -q "16, 24 or 32f" || fail "bit-depth message: $out"
out=$("$BIN" render "$MID" -o "$tmp/x.wav" --sample-rate 100 2>&1) && fail "sample rate 100 accepted"
[ -e "$tmp/x.wav" ] && fail "output written on error"
echo "render: ok"
