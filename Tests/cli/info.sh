#!/usr/bin/env bash
# `cadenza info`: a good file, a bad file, several files with one bad (the others are
# still reported, exit status non-zero), a folder, --json.
set -uo pipefail
BIN=$1
cd "$(dirname "$0")/../.."
FIX=Tests/Fixtures
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
fail() { echo "info.sh: $*" >&2; exit 1; }

out=$("$BIN" info "$FIX/chpn-p7.mid") || fail "good file exits non-zero"
for want in "format:      1, 480 ticks per quarter, 9 tracks" "notes:       167 (channel 1: 167)" "time:        3/4" \
            "key:         A major" "duration:    37.0 s, 17 bars" "pitch range: A1 (33) to C#6 (85)" "pedal used"; do
  grep -qF "$want" <<<"$out" || fail "good file: missing '$want' in: $out"
done

printf 'RIFF\x24\x00\x00\x00WAVEfmt ' > "$TMP/fake.mid"
if "$BIN" info "$TMP/fake.mid" >"$TMP/out" 2>"$TMP/err"; then fail "bad file exits 0"; fi
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "bad file: expected one line on stderr, got: $(cat "$TMP/err")"
grep -q "fake.mid: this is a WAV file, not a MIDI file" "$TMP/err" || fail "bad file message: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] || fail "bad file printed a report"
# A text file named like a checkpoint is named for what it is; damaged MIDI keeps the reader's words.
printf 'V=200\nH=512\n' > "$TMP/notes.safetensors"
if "$BIN" info "$TMP/notes.safetensors" 2>"$TMP/err" >/dev/null; then fail "a text file exits 0"; fi
grep -q "notes.safetensors: this is a text file, not a MIDI file or a safetensors checkpoint" "$TMP/err" \
  || fail "text file message: $(cat "$TMP/err")"
printf 'MThd\x00\x00\x00\x06\x00' > "$TMP/cut.mid"
if "$BIN" info "$TMP/cut.mid" 2>"$TMP/err" >/dev/null; then fail "a cut header exits 0"; fi
grep -q "cut.mid: " "$TMP/err" && ! grep -q "this is" "$TMP/err" || fail "damaged MIDI message: $(cat "$TMP/err")"

head -c 1000 "$FIX/scn15_13.mid" > "$TMP/truncated.mid"
"$BIN" info "$FIX/chpn-p7.mid" "$TMP/truncated.mid" "$FIX/bor_ps5.mid" >"$TMP/out" 2>"$TMP/err"
[ $? -ne 0 ] || fail "one bad file among several exits 0"
grep -q "chpn-p7.mid" "$TMP/out" && grep -q "bor_ps5.mid" "$TMP/out" || fail "good files not reported when one is bad"
grep -q "truncated.mid: byte .*claims" "$TMP/err" || fail "truncated file message: $(cat "$TMP/err")"

"$BIN" info --json "$FIX/asap_kreisleriana_6_ParkJH09.mid" "$TMP/missing.mid" >"$TMP/json" 2>/dev/null
[ $? -ne 0 ] || fail "--json with a missing file exits 0"
if command -v python3 >/dev/null 2>&1; then
  python3 - "$TMP/json" <<'PY' || fail "--json content"
import json, sys
entries = json.load(open(sys.argv[1]))
assert len(entries) == 2, entries
s = entries[0]
assert s["format"] == 0 and s["ticksPerQuarter"] == 384 and s["notes"] == 712, s
assert s["notesPerChannel"] == {"1": 712} and s["sustainPedalUsed"] is True and s["sysexEvents"] == 4, s
assert abs(s["durationSeconds"] - 240.832) < 0.001, s
assert entries[1]["file"].endswith("missing.mid") and "no such file" in entries[1]["error"], entries[1]
PY
fi

out=$("$BIN" info --totals "$FIX") || fail "folder exits non-zero"
grep -q "^files=8 failed=0 bytes=49404 notes=3281 " <<<"$out" || fail "folder totals: $out"
exit 0
