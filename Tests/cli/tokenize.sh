#!/usr/bin/env bash
# cadenza tokenize: text, --ids, --style, --roundtrip (re-tokenizes identically), --report, errors.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
FIX="$HERE/../Fixtures"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
fail() { echo "tokenize: $*" >&2; exit 1; }

$BIN tokenize "$FIX/chpn-p7.mid" > "$TMP/text"
head -1 "$TMP/text" | grep -qx 'BOS' || fail "first line is not BOS"
sed -n 2p "$TMP/text" | grep -q '^BAR TS_3/4 KEY_A_major TEMPO_[0-9]* POS_' || fail "first bar line (A major, from the key signature): $(sed -n 2p "$TMP/text")"
tail -1 "$TMP/text" | grep -q ' EOS$' || fail "no EOS at the end"
[ "$(grep -c '^BAR' "$TMP/text")" -ge 10 ] || fail "too few bars"

$BIN tokenize "$FIX/chpn-p7.mid" --ids --style chopin > "$TMP/ids"
grep -qE '^\[1,[0-9]+(,[0-9]+)+,2\]$' "$TMP/ids" || fail "--ids is not a JSON array from BOS (1) to EOS (2)"
$BIN tokenize "$FIX/chpn-p7.mid" --style chopin > "$TMP/styled"
head -1 "$TMP/styled" | grep -qx 'BOS STYLE_chopin' || fail "--style"

$BIN tokenize "$FIX/chpn-p7.mid" --ids --roundtrip "$TMP/rt.mid" > "$TMP/ids1"
head -c 4 "$TMP/rt.mid" | grep -q 'MThd' || fail "--roundtrip did not write a MIDI file"
$BIN tokenize "$TMP/rt.mid" --ids > "$TMP/ids2"
cmp -s "$TMP/ids1" "$TMP/ids2" || fail "the round-trip file does not tokenize to the same ids"

$BIN tokenize --report "$FIX" > "$TMP/report"
grep -q '^| \. | 8 |' "$TMP/report" || fail "report row for the fixtures: $(cat "$TMP/report")"
grep -q '| 100.00 |' "$TMP/report" || fail "report: round trip below 100%"

if $BIN tokenize "$TMP/missing.mid" 2> "$TMP/err"; then fail "missing file exits 0"; fi
grep -q 'missing.mid' "$TMP/err" || fail "missing file message: $(cat "$TMP/err")"
printf 'garbage' > "$TMP/bad.mid"
if $BIN tokenize "$TMP/bad.mid" 2>/dev/null; then fail "garbage exits 0"; fi
if $BIN tokenize --report "$TMP/nodir" 2> "$TMP/err"; then fail "missing directory exits 0"; fi
grep -q 'nodir' "$TMP/err" || fail "missing directory message"
if $BIN tokenize 2>/dev/null; then fail "no arguments exits 0"; fi
# --export / --merge: token shards (the formats are tested in TrainingTests/TokenShardTests).
$BIN tokenize --export "$TMP/shards" "$FIX" --val-split 0.25 > "$TMP/export" || fail "--export"
grep -q '^part 0/1: 8 of 8 files exported' "$TMP/export" || fail "--export summary: $(cat "$TMP/export")"
grep -q 'files/s' "$TMP/export" || fail "--export prints no rate"
for f in manifest.json manifest-00000-of-00001.json tokens-00000-of-00001.safetensors; do
  [ -s "$TMP/shards/$f" ] || fail "--export wrote no $f"
done
$BIN tokenize --export "$TMP/parts" "$FIX" --shard 1/2 > "$TMP/part" || fail "--shard 1/2"
grep -q 'tokenize --merge' "$TMP/part" || fail "a part does not say how to merge"
if $BIN tokenize --merge "$TMP/parts" 2> "$TMP/err"; then fail "merge with part 0 missing exits 0"; fi
grep -q 'missing' "$TMP/err" || fail "merge message: $(cat "$TMP/err")"
$BIN tokenize --export "$TMP/parts" "$FIX" --shard 0/2 > /dev/null || fail "--shard 0/2"
$BIN tokenize --merge "$TMP/parts" | grep -q '2 parts, 8 files' || fail "--merge of both parts"
for bad in 2/2 x 0/0 -1/2 1/2/3 ''; do
  set +e; $BIN tokenize --export "$TMP/bad" "$FIX" --shard "$bad" 2> "$TMP/err"; status=$?; set -e
  [ $status = 2 ] || fail "--shard '$bad' exits $status, not 2"
  grep -q -- '--shard' "$TMP/err" || fail "--shard '$bad' message: $(cat "$TMP/err")"
done
[ ! -e "$TMP/bad" ] || fail "a bad --shard still wrote files"
set +e; $BIN tokenize --shard 0/2 "$FIX/chpn-p7.mid" 2>/dev/null; status=$?; set -e
[ $status = 2 ] || fail "--shard without --export exits $status, not 2"
set +e; $BIN tokenize --export "$TMP/x" 2>/dev/null; status=$?; set -e
[ $status = 2 ] || fail "--export without folders exits $status, not 2"
set +e; $BIN tokenize --export "$TMP/x" "$TMP/nodir" 2>/dev/null; status=$?; set -e
[ $status = 1 ] || fail "--export of a missing folder exits $status, not 1"
echo "tokenize: ok"
