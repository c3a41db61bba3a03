#!/usr/bin/env bash
# cadenza stats: the model-card numbers on the fixture corpus with the tiny fixture
# checkpoint (random weights): all tables present, every generated piece decodes, JSON parses.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CKPT="$HERE/../Fixtures/checkpoints/generation_tiny.safetensors"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "stats: $*" >&2; exit 1; }

$BIN stats --checkpoint "$CKPT" --data "$HERE/../Fixtures" --val-split 0.25 --pieces 3 --bars 4 --regen-pieces 1 \
  > "$T/out.md" 2> "$T/err.txt" || fail "failed: $(cat "$T/err.txt")"
for heading in "### Checkpoint generation_tiny.safetensors" "### Held-out loss" "### Music statistics" "### Coherent regeneration"; do
  grep -q "$heading" "$T/out.md" || fail "missing '$heading'"
done
grep -q "| decodes without error | 100.0% | 100.0% |" "$T/out.md" || fail "a generated piece did not decode"
grep -q "| add-one bigram |" "$T/out.md" || fail "no bigram baseline"
$BIN stats --checkpoint "$CKPT" --data "$HERE/../Fixtures" --val-split 0.25 --pieces 2 --bars 2 --regen-pieces 0 --json > "$T/out.json"
grep -q '"decode_rate" : 1' "$T/out.json" || fail "json decode rate: $(grep decode_rate "$T/out.json")"
if $BIN stats --checkpoint "$CKPT" 2> "$T/err.txt"; then fail "accepted a missing --data"; fi
grep -q -- "--data" "$T/err.txt" || fail "missing --data message"
echo "stats: ok"
