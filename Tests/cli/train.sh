#!/usr/bin/env bash
# `cadenza train` and `cadenza eval` end to end on Tests/Fixtures: a tiny run (with the
# --batch_size/--save_dir spellings), eval of its checkpoint (--data and --tokens, --json),
# Ctrl-C saving and exiting 130, --resume (without --data: the run's folder), a save folder
# holding a run refused, the bigram comparison, an unreadable file skipped, bad arguments failing.
set -uo pipefail
BIN=$1
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
fail() { echo "train.sh: $*" >&2; exit 1; }
mkdir -p "$TMP/corpus/clementi" "$TMP/corpus/chopin"
cp Tests/Fixtures/clementi_opus36_3_2.mid "$TMP/corpus/clementi/"
cp Tests/Fixtures/chpn-p7.mid Tests/Fixtures/mendel_op19_6.mid "$TMP/corpus/chopin/"
printf 'MThd garbage' > "$TMP/corpus/chopin/broken.mid"
SMALL=(--embedding 16 --hidden 32 --layers 2 --seq-len 32 --threads 1)

# 1. A tiny run: 2 epochs, plain log lines (not a terminal), checkpoints and log written.
"$BIN" train --data "$TMP/corpus" --epochs 2 --batch_size 4 --save_dir "$TMP/run" "${SMALL[@]}" --val-split 0.34 --seed 3 \
  >"$TMP/out" 2>"$TMP/err" || fail "train exited non-zero: $(cat "$TMP/err")"
[ "$(cat "$TMP/out")" = "$TMP/run/last.safetensors" ] || fail "stdout should be the checkpoint path, got: $(cat "$TMP/out")"
[ "$(tail -1 "$TMP/err")" = "last checkpoint: $(cat "$TMP/out")" ] || fail "stderr ends on another checkpoint: $(tail -2 "$TMP/err")"
grep -q "add-one bigram on the same validation files: [0-9.]*" "$TMP/err" || fail "no bigram comparison: $(cat "$TMP/err")"
# A tiny two-epoch model is worse than the bigram, and says so.
grep -q "warning: the best validation loss .* is worse than the add-one bigram" "$TMP/err" || fail "no worse-than-bigram warning: $(cat "$TMP/err")"
# A second new run into the same folder is refused (exit 1) and leaves the run as it was.
cp "$TMP/run/best.safetensors" "$TMP/best.before"
"$BIN" train --data "$TMP/corpus" --epochs 1 --save-dir "$TMP/run" "${SMALL[@]}" >"$TMP/out2" 2>"$TMP/err2"; status=$?
[ $status = 1 ] || fail "a new run into a folder holding a run: exit $status"
grep -q "already holds a run.*--resume .*--force" "$TMP/err2" || fail "refusal message: $(cat "$TMP/err2")"
cmp -s "$TMP/best.before" "$TMP/run/best.safetensors" || fail "the refused run replaced best.safetensors"
grep -q "warning: skipped chopin/broken.mid" "$TMP/err" || fail "no warning for the broken file: $(cat "$TMP/err")"
grep -q "epoch 2: validation loss" "$TMP/err" || fail "no validation line: $(cat "$TMP/err")"
grep -q "peak memory" "$TMP/err" || fail "no peak memory report"
for f in last.safetensors last.optim.safetensors best.safetensors training-log.csv; do
  [ -s "$TMP/run/$f" ] || fail "missing $f"
done
head -1 "$TMP/run/training-log.csv" | grep -q '^kind,epoch,step,tokens_seen,loss' || fail "log header"
[ "$(grep -c '^val,' "$TMP/run/training-log.csv")" = 2 ] || fail "expected 2 validation rows"

# 2. eval --data with the stored vocabulary, and --tokens; both JSON with the required keys.
"$BIN" eval --checkpoint "$TMP/run/best.safetensors" --data "$TMP/corpus/clementi" --json >"$TMP/eval.json" 2>"$TMP/err" \
  || fail "eval --data failed: $(cat "$TMP/err")"
for key in '"mean_nll"' '"perplexity"' '"num_predictions"' '"nll_by_kind"' '"pitch"' '"tokens_per_s"'; do
  grep -q "$key" "$TMP/eval.json" || fail "eval --json lacks $key: $(cat "$TMP/eval.json")"
done
echo '[[1, 3, 40, 60, 100, 3, 2], [1, 3]]' > "$TMP/ids.json"
"$BIN" eval --checkpoint "$TMP/run/last.safetensors" --tokens "$TMP/ids.json" --json | grep -q '"num_predictions":7' \
  || fail "eval --tokens: expected 7 predictions"
"$BIN" eval --checkpoint "$TMP/run/last.safetensors" --tokens "$TMP/ids.json" | grep -q "mean NLL" || fail "eval text output"

# 3. Ctrl-C finishes the step, saves, exits 130 and prints the path; --resume continues.
"$BIN" train --data "$TMP/corpus" --epochs 500 --batch-size 2 --save-dir "$TMP/int" "${SMALL[@]}" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 300); do grep -q "step" "$TMP/err" 2>/dev/null && break; sleep 0.1; done
kill -INT $pid
wait $pid; status=$?
[ $status = 130 ] || fail "Ctrl-C: exit status $status, stderr: $(tail -3 "$TMP/err")"
grep -q "interrupted, saved" "$TMP/err" || fail "Ctrl-C: no 'interrupted, saved': $(tail -3 "$TMP/err")"
[ "$(cat "$TMP/out")" = "$TMP/int/last.safetensors" ] || fail "Ctrl-C: path not printed"
# As the README writes it: no --data and no --save-dir, both from the checkpoint.
"$BIN" train --resume "$TMP/int/last.safetensors" --max-minutes 0.02 --threads 1 \
  >"$TMP/out" 2>"$TMP/err" || fail "resume failed: $(cat "$TMP/err")"
grep -q "found 4 MIDI files" "$TMP/err" || fail "resume did not read the run's data folder: $(head -3 "$TMP/err")"
[ "$(cat "$TMP/out")" = "$TMP/int/last.safetensors" ] || fail "resume did not save into the run's folder: $(cat "$TMP/out")"
grep -q "resumed from" "$TMP/err" || fail "resume: no 'resumed from' line"
grep -q "time limit reached" "$TMP/err" || fail "resume: --max-minutes did not stop it: $(tail -2 "$TMP/err")"

# 4. Bad arguments: non-zero exit and a message.
expect_fail() {  # description, then the command
  local what=$1; shift
  if "$@" >"$TMP/out" 2>"$TMP/err"; then fail "$what: exited 0"; fi
  [ -s "$TMP/err" ] || fail "$what: no message"
}
expect_fail "train without --data" "$BIN" train --epochs 1
expect_fail "train --batch-size 0" "$BIN" train --data "$TMP/corpus" --batch-size 0 --save-dir "$TMP/x"
expect_fail "train --dropout 1.5" "$BIN" train --data "$TMP/corpus" --dropout 1.5 --save-dir "$TMP/x"
expect_fail "train --dtype f8" "$BIN" train --data "$TMP/corpus" --dtype f8 --save-dir "$TMP/x"
expect_fail "train missing folder" "$BIN" train --data "$TMP/nope" --save-dir "$TMP/x"
expect_fail "train unknown option" "$BIN" train --data "$TMP/corpus" --epoch 3
expect_fail "train --resume missing" "$BIN" train --data "$TMP/corpus" --resume "$TMP/nope.safetensors" --save-dir "$TMP/x"
grep -q "nope.safetensors" "$TMP/err" || fail "resume error should name the file: $(cat "$TMP/err")"
expect_fail "eval without input" "$BIN" eval --checkpoint "$TMP/run/last.safetensors"
expect_fail "eval with both inputs" "$BIN" eval --checkpoint "$TMP/run/last.safetensors" --tokens "$TMP/ids.json" --data "$TMP/corpus"
expect_fail "eval missing checkpoint" "$BIN" eval --checkpoint "$TMP/none.safetensors" --tokens "$TMP/ids.json"
head -c 100 "$TMP/run/last.safetensors" > "$TMP/trunc.safetensors"
expect_fail "eval truncated checkpoint" "$BIN" eval --checkpoint "$TMP/trunc.safetensors" --tokens "$TMP/ids.json"
echo '[1, 99999]' > "$TMP/big.json"
expect_fail "eval token out of range" "$BIN" eval --checkpoint "$TMP/run/last.safetensors" --tokens "$TMP/big.json"
grep -q "outside the model's vocabulary" "$TMP/err" || fail "out-of-range message: $(cat "$TMP/err")"
exit 0
