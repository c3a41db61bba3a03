#!/usr/bin/env bash
# cadenza bench end to end: a tiny shape prints one JSON object with the documented keys;
# bad sizes are a user error (non-zero exit, message). Every run checks the release build's
# engine against itself (EngineAgreement) and exits 1 if it disagrees; a shape wide enough for
# several kernel tiles per member is checked too.
set -euo pipefail
BIN=${1:?usage: bench.sh path/to/cadenza}
out=$("$BIN" bench --vocab 20 --embedding 8 --hidden 16 --layers 2 --batch-size 2 --seq-len 8 \
      --threads 1 --steps 1 --sample-tokens 10 --json)
for key in train_tokens_per_s sample_us_per_token sample_tokens_per_s sample_f16_us_per_token sample_f16_packs train_gflops sgemm_peak_gflops blas recurrent_kernel engine_check engine_check_f16 same_bits_at_every_thread_count; do
  echo "$out" | grep -q "\"$key\":" || { echo "bench --json lacks $key: $out" >&2; exit 1; }
done
# The random model's weights rounded to F16 are sampled from F16 packs.
echo "$out" | grep -q '"sample_f16_packs" *: *"f16"' || { echo "bench: F16 weights not sampled from F16 packs: $out" >&2; exit 1; }
wide=$("$BIN" bench --vocab 150 --embedding 32 --hidden 96 --layers 3 --batch-size 4 --seq-len 16 --threads 2 --steps 1 --sample-tokens 10)
echo "$wide" | grep -q "engine check, F16 weights: inference agrees" || { echo "bench: no engine check: $wide" >&2; exit 1; }
text=$("$BIN" bench --vocab 20 --embedding 8 --hidden 16 --layers 1 --batch-size 2 --seq-len 4 --steps 1 --sample-tokens 5)
echo "$text" | grep -q "tokens/s" || { echo "bench text output lacks tokens/s: $text" >&2; exit 1; }
err=$(mktemp)
if "$BIN" bench --hidden 0 >/dev/null 2>"$err"; then echo "bench --hidden 0 should fail" >&2; exit 1; fi
grep -q "positive" "$err" || { echo "unclear error: $(cat "$err")" >&2; exit 1; }
# Best-of-K regeneration on the bundled model: both ways timed, the speed-up reported.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
regen=$("$BIN" bench --regenerate --checkpoint "$ROOT/checkpoints/cadenza-piano.safetensors" --candidates 2 --threads 1 --json)
for key in batched_median_s sequential_median_s speedup candidates engine_check; do
  echo "$regen" | grep -q "\"$key\":" || { echo "bench --regenerate --json lacks $key: $regen" >&2; exit 1; }
done
if "$BIN" bench --regenerate --checkpoint /nonexistent.safetensors >/dev/null 2>"$err"; then
  echo "bench --regenerate with a missing checkpoint should fail" >&2; exit 1
fi
grep -q "nonexistent" "$err" || { echo "unclear error: $(cat "$err")" >&2; exit 1; }
rm -f "$err"
echo "bench: ok"
