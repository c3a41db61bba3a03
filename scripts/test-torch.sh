#!/usr/bin/env bash
# make test-torch (opt-in): the PyTorch trainer in train/torch against the cadenza binary, on CPU
# with gloo (train/torch/tests/test_torch.py: shards merged, DDP 2 ranks = 1 rank, checkpoints
# both ways). Installs CPU-capable torch, safetensors and numpy into a venv ($TORCH_VENV, shared
# with scripts/check-torch.sh) on first run, at the versions train/torch/pyproject.toml pins.
# Usage: scripts/test-torch.sh [path/to/cadenza]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/release/cadenza}")
VENV=${TORCH_VENV:-$HOME/.cache/cadenza/torch-venv}
[ -x "$BIN" ] || { echo "test-torch: no binary at $BIN (run 'swift build -c release')" >&2; exit 1; }
if ! "$VENV/bin/python" -c "import torch, safetensors, numpy" 2>/dev/null || [ ! -x "$VENV/bin/torchrun" ]; then
  echo "test-torch: installing torch, safetensors, numpy into $VENV (once; torch is large)"
  python3 -m venv "$VENV"
  pins=$(sed -n 's/^ *"\(\(torch\|safetensors\|numpy\)==[^"]*\)",*$/\1/p' train/torch/pyproject.toml)
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q $pins
fi
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
CADENZA_BIN="$BIN" PYTHONPATH="$PWD/train/torch" "$VENV/bin/python" -m unittest discover -s train/torch/tests -v
