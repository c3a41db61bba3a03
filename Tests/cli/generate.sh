#!/usr/bin/env bash
# cadenza generate: determinism, --count naming, primer and style, provenance, and bad
# arguments (clear error, non-zero exit, nothing written). Uses a committed tiny fixture
# checkpoint (random weights), so it needs no corpus and no bundled model.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CKPT="$HERE/../Fixtures/checkpoints/generation_tiny.safetensors"
PRIMER="$HERE/../Fixtures/chpn-p7.mid"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "generate: $*" >&2; exit 1; }

# Same seed and settings: byte-identical files; another seed: a different file.
$BIN generate --checkpoint "$CKPT" --output "$T/a.mid" --bars 6 --seed 42 > "$T/out.txt"
$BIN generate --checkpoint "$CKPT" --output "$T/b.mid" --bars 6 --seed 42 --quiet
$BIN generate --checkpoint "$CKPT" --output "$T/c.mid" --bars 6 --seed 43 --quiet
cmp -s "$T/a.mid" "$T/b.mid" || fail "same seed gave different files"
if cmp -s "$T/a.mid" "$T/c.mid"; then fail "different seeds gave the same file"; fi
grep -q "a.mid: 6 bars, [0-9]* notes, [0-9]*:[0-9.]*, seed 42" "$T/out.txt" || fail "summary line: $(cat "$T/out.txt")"
# Provenance in a text meta event.
grep -aq "cadenza take; checkpoint=generation_tiny.safetensors; seed=42; temperature=[0-9.]* top-k=0 top-p=[0-9.]* min-p=[0-9.]*" "$T/a.mid" \
  || fail "no provenance text event"
# Snake-case spelling of options is accepted too.
$BIN generate --checkpoint "$CKPT" --output "$T/d.mid" --bars 6 --seed 42 --top_p 0.95 --quiet
cmp -s "$T/a.mid" "$T/d.mid" || fail "--top_p spelling changed the result"

# --count, primer and style.
$BIN generate --checkpoint "$CKPT" -o "$T/song.mid" --bars 2 --count 3 --seed 7 --style chopin \
  --primer "$PRIMER" --primer-bars 2 --quiet
for i in 001 002 003; do [ -s "$T/song-$i.mid" ] || fail "song-$i.mid missing"; done
[ ! -e "$T/song.mid" ] || fail "--count 3 also wrote song.mid"
grep -aq "style=chopin; primer=chpn-p7.mid:2" "$T/song-001.mid" || fail "primer/style provenance"
$BIN generate --checkpoint "$CKPT" -o "$T/one.mid" --bars 2 --seed 8 --style chopin --primer "$PRIMER" --primer-bars 2 --quiet
cmp -s "$T/one.mid" "$T/song-002.mid" || fail "piece 2 of --count is not --seed 8"

# A folder as --output (Magenta's --output_dir, aria's --save_dir) and the spellings users
# bring from those tools: --num_outputs, --temp, --min_p.
mkdir -p "$T/folder"
$BIN generate --checkpoint "$CKPT" --output_dir "$T/folder/" --bars 2 --seed 5 --num_outputs 2 --temp 0.9 --min_p 0.02 --quiet
[ -f "$T/folder/cadenza-5.mid" ] && [ -f "$T/folder/cadenza-6.mid" ] || fail "--output DIR/ did not write DIR/cadenza-SEED.mid: $(ls "$T/folder")"
if $BIN generate --checkpoint "$CKPT" -o "$T/nowhere/" --bars 1 --quiet 2>"$T/err"; then fail "--output into a missing folder accepted"; fi
grep -q "the folder does not exist" "$T/err" || fail "missing output folder message: $(cat "$T/err")"

# --wav renders audio next to the MIDI file.
$BIN generate --checkpoint "$CKPT" -o "$T/w.mid" --bars 2 --seed 1 --wav "$T/w.wav" --quiet
head -c 4 "$T/w.wav" | grep -q RIFF || fail "--wav did not write a WAV file"
# --soundfont renders the WAV with the SoundFont's piano: another sound, the same length.
SF=/usr/share/sounds/sf2/TimGM6mb.sf2
if [ -f "$SF" ]; then
  $BIN generate --checkpoint "$CKPT" -o "$T/s.mid" --bars 2 --seed 1 --wav "$T/s.wav" --soundfont "$SF" --quiet \
    || fail "--wav --soundfont failed"
  head -c 4 "$T/s.wav" | grep -q RIFF || fail "--soundfont did not write a WAV file"
  cmp -s "$T/w.wav" "$T/s.wav" && fail "--soundfont rendered the same audio as the built-in piano"
  a=$(stat -c %s "$T/w.wav"); b=$(stat -c %s "$T/s.wav")
  [ $(( a > b ? a - b : b - a )) -lt $(( a / 5 )) ] || fail "--soundfont WAV length $b far from $a"
else
  echo "generate: TimGM6mb not installed; --soundfont skipped"
fi

# Bad arguments: non-zero exit, a message naming the problem, nothing written.
bad() {
  local expect=$1; shift
  rm -f "$T/bad.mid" "$T/bad.wav"
  if $BIN generate "$@" > "$T/bad.out" 2> "$T/bad.err"; then fail "accepted: $*"; fi
  grep -q -- "$expect" "$T/bad.err" || fail "message for '$*' lacks '$expect': $(cat "$T/bad.err")"
  [ ! -e "$T/bad.mid" ] && [ ! -e "$T/bad.wav" ] || fail "wrote a file for: $*"
}
bad "temperature" --checkpoint "$CKPT" -o "$T/bad.mid" --temperature 3.5
bad "soundfont needs --wav" --checkpoint "$CKPT" -o "$T/bad.mid" --soundfont "$T/none.sf2"
bad "none.sf2" --checkpoint "$CKPT" -o "$T/bad.mid" --wav "$T/bad.wav" --soundfont "$T/none.sf2"
bad "temperature" --checkpoint "$CKPT" -o "$T/bad.mid" --temperature -1
bad "top-p" --checkpoint "$CKPT" -o "$T/bad.mid" --top-p 0
bad "top-p" --checkpoint "$CKPT" -o "$T/bad.mid" --top-p 1.5
bad "top-k" --checkpoint "$CKPT" -o "$T/bad.mid" --top-k -2
bad "does not exist" --checkpoint "$T/missing.safetensors" -o "$T/bad.mid"
bad "MIDI" --checkpoint "$CKPT" -o "$T/bad.mid" --primer "$HERE/../Fixtures/README.md"
bad "only" --checkpoint "$CKPT" -o "$T/bad.mid" --primer "$PRIMER" --primer-bars 5000 --wav "$T/bad.wav"
bad "unknown style" --checkpoint "$CKPT" -o "$T/bad.mid" --style mozart
bad "seed" --checkpoint "$CKPT" -o "$T/bad.mid" --seed banana
bad "output" --checkpoint "$CKPT"
bad "folder" --checkpoint "$CKPT" -o "$T/no/such/dir/bad.mid"
bad "safetensors" --checkpoint "$HERE/../Fixtures/README.md" -o "$T/bad.mid"
bad "min-p" --checkpoint "$CKPT" -o "$T/bad.mid" --min-p 1
bad "min-p" --checkpoint "$CKPT" -o "$T/bad.mid" --min-p -0.5
bad "'Q major' is not a key" --checkpoint "$CKPT" -o "$T/bad.mid" --key "Q major"
bad "E minor" --checkpoint "$CKPT" -o "$T/bad.mid" --key "E dorian"   # the message lists spellings
bad "no KEY tokens" --checkpoint "$CKPT" -o "$T/bad.mid" --key "E minor"   # the fixture model predates keys
# Audio paths: the extension picks the format; another is refused listing the supported ones.
bad ".flac is not a format Cadenza writes; use .wav or .mp3" --checkpoint "$CKPT" -o "$T/bad.mid" --wav "$T/bad.flac"
bad "no extension; end it in .wav or .mp3" --checkpoint "$CKPT" -o "$T/bad.mid" --wav "$T/bad"
bad "write WAV audio with --wav" --checkpoint "$CKPT" -o "$T/bad.wav"
if command -v lame >/dev/null || ldconfig -p 2>/dev/null | grep -q libmp3lame; then
  $BIN generate --checkpoint "$CKPT" -o "$T/m.mid" --bars 2 --seed 1 --audio "$T/m.mp3" --quiet || fail "--wav x.mp3 failed"
  head -c 3 "$T/m.mp3" | od -An -tx1 | grep -Eq "ff f[a-f b]|49 44 33" || fail "--wav x.mp3 did not write MP3"
  head -c 4 "$T/m.mp3" | grep -q RIFF && fail "--wav x.mp3 wrote a WAV file"
else
  echo "generate: no LAME; --wav x.mp3 check skipped"
fi

# The printed note count is the file's (one note per key and onset), and a file always has
# time and key signatures (key-finding supplies one for a model without KEY tokens).
$BIN generate --checkpoint "$CKPT" -o "$T/n.mid" --bars 8 --seed 5 --min-p 0.05 > "$T/n.txt"
printed=$(sed -E 's/.* ([0-9]+) notes.*/\1/' "$T/n.txt")
$BIN info "$T/n.mid" > "$T/n.info"
grep -q "^  notes:       $printed " "$T/n.info" || fail "printed $printed notes, the file holds: $(grep notes: "$T/n.info")"
grep -Eq "^  time:        [0-9]+/[0-9]+" "$T/n.info" || fail "no time signature: $(grep time: "$T/n.info")"
grep -Eq "^  key:         [A-G][b#]? (major|minor)" "$T/n.info" || fail "no key signature: $(grep key: "$T/n.info")"
echo "generate: ok"
