#!/usr/bin/env bash
# Cadenza's LSTM against PyTorch: ../shared/bench/torch_reference.py (or $TORCH_REFERENCE)
# makes random models and token sequences; `cadenza eval --tokens --json` must give the same
# mean NLL as the float64 reference (relative error <= 1e-4) for several shapes, ragged
# sequences, and F16 / BF16 checkpoints (the reference reads the same rounded weights).
# It also trains a tiny model with `cadenza train` and checks PyTorch loads its checkpoint
# and agrees on the loss. Needs torch: installed into a venv ($TORCH_VENV) on first run.
# Usage: scripts/check-torch.sh [path/to/cadenza]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/cadenza}")
REF=${TORCH_REFERENCE:-../shared/bench/torch_reference.py}
VENV=${TORCH_VENV:-$HOME/.cache/cadenza/torch-venv}
[ -x "$BIN" ] || { echo "check-torch: no binary at $BIN (run 'swift build -c release')" >&2; exit 1; }
[ -f "$REF" ] || { echo "check-torch: no reference script at $REF (set TORCH_REFERENCE)" >&2; exit 1; }
if ! "$VENV/bin/python" -c "import torch, safetensors, numpy" 2>/dev/null; then
  echo "check-torch: installing torch, safetensors, numpy into $VENV (once)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch safetensors numpy
fi
PY="$VENV/bin/python"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

status=0
printf '%-34s %8s %16s %16s %10s  %s\n' case preds torch_nll cadenza_nll rel_err result
compare() { compare2 "$1" "$2" "$2" "$3"; }
compare2() {  # name model-for-cadenza model-for-reference tokens
  local name=$1 model=$2 refmodel=$3 tokens=$4
  local ref ours
  ref=$("$PY" "$REF" "$refmodel" "$tokens" --dtype float64 | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["mean_nll"], d["num_predictions"])')
  ours=$("$BIN" eval --checkpoint "$model" --tokens "$tokens" --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["mean_nll"], d["num_predictions"])')
  "$PY" - "$name" $ref $ours <<'PYEOF' || status=1
import sys
name, rn, rp, on, op = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rel = abs(on - rn) / abs(rn)
ok = rel <= 1e-4 and rp == op
print(f"{name:34s} {op:8d} {rn:16.10f} {on:16.10f} {rel:10.2e}  {'ok' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PYEOF
}

# shape: V E H L N T seed
for shape in "200 64 128 2 3 50 0" "310 256 512 2 2 200 1" "50 16 24 3 4 80 2" "300 128 256 4 1 300 3" "17 5 3 1 5 20 4"; do
  set -- $shape
  m="$WORK/m-$1-$2-$3-$4.safetensors"; t="$WORK/t-$1-$2-$3-$4.json"
  "$PY" "$REF" --make-random "$m" --V "$1" --E "$2" --H "$3" --L "$4" --seed "$7" --make-tokens "$t" --N "$5" --T "$6" >/dev/null
  compare "V=$1 E=$2 H=$3 L=$4 N=$5 T=$6" "$m" "$t"
done

# Ragged sequences (lengths 1..157) and the same model stored as F16 and BF16.
m="$WORK/m-200-64-128-2.safetensors"
"$PY" - "$WORK/ragged.json" <<'PYEOF'
import json, sys, numpy as np
rng = np.random.default_rng(5)
json.dump([rng.integers(0, 200, size=n).tolist() for n in (1, 2, 157, 33, 64, 65, 129)], open(sys.argv[1], "w"))
PYEOF
compare "ragged lengths 1..157" "$m" "$WORK/ragged.json"
for dt in float16 bfloat16; do
  # Cadenza reads the rounded file; the reference (numpy, no bfloat16) reads the same rounded
  # weights widened back to float32.
  "$PY" - "$m" "$WORK/m-$dt.safetensors" "$WORK/m-$dt-widened.safetensors" "$dt" <<'PYEOF'
import sys, torch
from safetensors.torch import load_file, save_file
w = load_file(sys.argv[1])
rounded = {k: v.to(getattr(torch, sys.argv[4])) for k, v in w.items()}
save_file(rounded, sys.argv[2])
save_file({k: v.float() for k, v in rounded.items()}, sys.argv[3])
PYEOF
  compare2 "$dt checkpoint (rounded weights)" "$WORK/m-$dt.safetensors" "$WORK/m-$dt-widened.safetensors" "$WORK/ragged.json"
done

# A checkpoint Cadenza trained and saved (F32 and F16) loads in PyTorch and gives the same loss.
if [ -d Tests/Fixtures ] && ls Tests/Fixtures/*.mid >/dev/null 2>&1 && "$BIN" train --help >/dev/null 2>&1; then
  mkdir -p "$WORK/corpus"; cp Tests/Fixtures/*.mid "$WORK/corpus/"
  "$BIN" train --data "$WORK/corpus" --epochs 1 --batch-size 4 --seq-len 32 --embedding 16 --hidden 32 --layers 2 \
    --save-dir "$WORK/run" --seed 1 --val-split 0.3 > "$WORK/train.log" 2>&1 || { cat "$WORK/train.log"; echo "check-torch: cadenza train failed"; exit 1; }
  "$PY" - "$WORK/run/last.safetensors" "$WORK/cadenza-tokens.json" <<'PYEOF'
import json, sys, numpy as np
from safetensors.numpy import load_file
V = load_file(sys.argv[1])["embedding.weight"].shape[0]
rng = np.random.default_rng(7)
json.dump([rng.integers(0, V, size=n).tolist() for n in (90, 40)], open(sys.argv[2], "w"))
PYEOF
  compare "cadenza-trained checkpoint" "$WORK/run/last.safetensors" "$WORK/cadenza-tokens.json"
  "$BIN" train --data "$WORK/corpus" --epochs 1 --batch-size 4 --seq-len 32 --embedding 16 --hidden 32 --layers 2 \
    --save-dir "$WORK/run16" --seed 2 --val-split 0.3 --dtype f16 > "$WORK/train16.log" 2>&1 || { cat "$WORK/train16.log"; exit 1; }
  compare "cadenza-trained F16 checkpoint" "$WORK/run16/last.safetensors" "$WORK/cadenza-tokens.json"
fi
[ $status = 0 ] && echo "check-torch: all cases agree with PyTorch (rel. error <= 1e-4)" || echo "check-torch: FAILED"
exit $status
