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

$BIN stats --checkpoint "$CKPT" --data "$HERE/../Fixtures" --val-split 0.25 --pieces 3 --bars 4 --regen-pieces 1 --eval-pieces 3 --eval-bars 8 \
  > "$T/out.md" 2> "$T/err.txt" || fail "failed: $(cat "$T/err.txt")"
for heading in "### Checkpoint generation_tiny.safetensors" "### Held-out loss" "### Music statistics" "### Coherent regeneration" \
    "### Against the validation files" "Discriminator accuracy" "LSTM NLL per note"; do
  grep -q "$heading" "$T/out.md" || fail "missing '$heading'"
done
grep -q "| decodes without error | 100.0% | 100.0% |" "$T/out.md" || fail "a generated piece did not decode"
grep -q "| add-one bigram |" "$T/out.md" || fail "no bigram baseline"
$BIN stats --checkpoint "$CKPT" --data "$HERE/../Fixtures" --val-split 0.25 --pieces 2 --bars 2 --regen-pieces 0 --json > "$T/out.json"
grep -q '"decode_rate" : 1' "$T/out.json" || fail "json decode rate: $(grep decode_rate "$T/out.json")"
# Two folders, music_eval.py's comparison: the fixtures against themselves cannot be told apart.
$BIN stats --generated "$HERE/../Fixtures" --human "$HERE/../Fixtures" > "$T/cmp.md" || fail "--generated/--human failed"
grep -q "| in_key |" "$T/cmp.md" && grep -q "| key_stability |" "$T/cmp.md" || fail "comparison table lacks measures"
acc=$(sed -nE 's/.*apart\): ([0-9.]+)/\1/p' "$T/cmp.md")
awk -v a="$acc" 'BEGIN { exit !(a <= 0.6) }' || fail "a folder against itself: discriminator $acc"
$BIN stats --generated "$HERE/../Fixtures" --human "$HERE/../Fixtures" --json | grep -q '"discriminator_accuracy"' || fail "no JSON"
if $BIN stats --generated "$HERE/../Fixtures" 2> "$T/err.txt"; then fail "accepted --generated without --human"; fi
if $BIN stats --checkpoint "$CKPT" 2> "$T/err.txt"; then fail "accepted a missing --data"; fi
grep -q -- "--data" "$T/err.txt" || fail "missing --data message"
echo "stats: ok"
