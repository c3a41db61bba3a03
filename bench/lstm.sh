#!/usr/bin/env bash
# bench/lstm.sh BIN: `cadenza bench` on the three shapes of ../shared/bench (small, medium, deep)
# side by side with PyTorch's nn.LSTM: training tokens/s (ratio ours/PyTorch, want >= 1.5),
# GFLOP/s against the sgemm peak measured by `cadenza bench` in the same run (want >= 75% on
# medium and deep), one-token sampling latency against PyTorch with oneDNN off (ratio
# PyTorch/ours, want >= 10), and best-of-4 regeneration of a bar batched against four
# candidates one by one on the bundled model (`cadenza bench --regenerate`, want >= 2.5x).
# The binary runs as a user runs it: no OpenBLAS variable is set (the script unsets them).
# BENCH_UPDATE_README=1 rewrites the README table between its bench/lstm.sh markers from the run.
# PyTorch is re-measured in the same run when CADENZA_TORCH_VENV names a venv with torch
# (python3 -m venv DIR && DIR/bin/pip install torch numpy safetensors threadpoolctl) and
# ../shared/bench/torch_lstm_bench.py exists; otherwise the figures of
# ../shared/bench/results-torch.json (or the copy bench/torch-reference.json) are used.
# The script says which. Env: BENCH_THREADS (default 2), BENCH_SHAPES (default "small medium deep").
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/.build/release/cadenza}
SHARED=${CADENZA_TORCH_BENCH_DIR:-$ROOT/../shared/bench}
# The venv scripts/check-torch.sh (and make test-torch) install torch into, when it exists.
VENV=${CADENZA_TORCH_VENV:-$HOME/.cache/cadenza/torch-venv}
THREADS=${BENCH_THREADS:-2}
SHAPES=${BENCH_SHAPES:-small medium deep}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$BIN" ] || { echo "bench/lstm.sh: no binary at $BIN (run: swift build -c release)" >&2; exit 1; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other work skews every figure)"
for shape in $SHAPES; do
  case $shape in
    small)  args="--vocab 200 --embedding 128 --hidden 256 --layers 2 --batch-size 64 --seq-len 128" ;;
    medium) args="--vocab 200 --embedding 256 --hidden 512 --layers 2 --batch-size 64 --seq-len 128" ;;
    deep)   args="--vocab 200 --embedding 256 --hidden 512 --layers 3 --batch-size 32 --seq-len 128" ;;
    *) echo "unknown shape $shape" >&2; exit 1 ;;
  esac
  # shellcheck disable=SC2086
  "$BIN" bench $args --threads "$THREADS" --json > "$TMP/ours-$shape.json" || { echo "cadenza bench failed on $shape" >&2; exit 1; }
done
"$BIN" bench --regenerate --threads "$THREADS" --json > "$TMP/regenerate.json" 2> "$TMP/regenerate.err" \
  || { echo "cadenza bench --regenerate failed: $(cat "$TMP/regenerate.err")" >&2; echo '{}' > "$TMP/regenerate.json"; }

torch_source=""
if [ -n "$VENV" ] && [ -x "$VENV/bin/python" ] && [ -f "$SHARED/torch_lstm_bench.py" ] \
   && "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "measuring PyTorch now ($VENV, threads $THREADS; a few minutes)..."
  # Training with PyTorch's default (oneDNN on, its faster trainer); sampling with oneDNN off
  # (its faster one-token path), each in its own run.
  # shellcheck disable=SC2086
  if "$VENV/bin/python" "$SHARED/torch_lstm_bench.py" --threads "$THREADS" --configs $SHAPES \
       --skip-sample --retries 1 --out "$TMP/torch-train.json" > "$TMP/torch.log" 2>&1 \
     && "$VENV/bin/python" "$SHARED/torch_lstm_bench.py" --threads "$THREADS" --configs $SHAPES \
       --skip-train --no-mkldnn --no-sample-variant --retries 1 --out "$TMP/torch-sample.json" >> "$TMP/torch.log" 2>&1; then
    python3 - "$TMP" <<'MERGE'
import json, sys
tmp = sys.argv[1]
train = json.load(open(tmp + "/torch-train.json"))
sample = json.load(open(tmp + "/torch-sample.json"))
by = {(r["config"], r["threads"]): r for r in sample["runs"]}
for r in train["runs"]:
    s = by.get((r["config"], r["threads"]), {})
    r["sample_mkldnn_off"] = s.get("sample")
json.dump(train, open(tmp + "/torch.json", "w"))
MERGE
    torch_source="$TMP/torch.json|measured in this run with $VENV (training oneDNN on, sampling oneDNN off)"
  else
    echo "PyTorch run failed (see below); falling back to stored figures" >&2
    tail -5 "$TMP/torch.log" >&2
  fi
fi
if [ -z "$torch_source" ]; then
  if [ -f "$SHARED/results-torch.json" ]; then
    torch_source="$SHARED/results-torch.json|stored figures from $SHARED/results-torch.json (set CADENZA_TORCH_VENV to re-measure)"
  else
    torch_source="$ROOT/bench/torch-reference.json|stored figures from bench/torch-reference.json (set CADENZA_TORCH_VENV to re-measure)"
  fi
fi

BENCH_README_PATH="$ROOT/README.md" python3 - "$TMP" "$THREADS" "$torch_source" "$ROOT/bench/torch-reference.json" $SHAPES <<'EOF'
import json, sys
tmp, threads, source, stored = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
shapes = sys.argv[5:]
path, said = source.split("|", 1)
data = json.load(open(path))
torch = {}
if "runs" in data:  # torch_lstm_bench.py output
    for r in data["runs"]:
        if r["threads"] != threads:
            continue
        off = r.get("sample_mkldnn_off") or r.get("sample") or {}
        torch[r["config"]] = dict(train=r["train"]["tokens_per_s"], sample_us=off.get("median_latency_us"))
else:  # bench/torch-reference.json (2 threads)
    for k, v in data["torch"].items():
        torch[k] = dict(train=v["train_tokens_per_s"], sample_us=v["sample_us_per_token_onednn_off"])
ours = {s: json.load(open("%s/ours-%s.json" % (tmp, s))) for s in shapes}
# The peak: the best sgemm figure cadenza bench measured in this run (it measures before each shape).
peak = max(o["sgemm_peak_gflops"] for o in ours.values())
first = next(iter(ours.values()))
def machine():
    """The CPU the figures are from (they differ several-fold between machines), from /proc/cpuinfo."""
    try:
        lines = open("/proc/cpuinfo").read().splitlines()
    except OSError:
        return "unknown CPU"
    names = [l.split(":", 1)[1].strip() for l in lines if l.startswith("model name")]
    flags = next((l.split(":", 1)[1].split() for l in lines if l.startswith("flags")), [])
    isa = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    return "%s, %d logical CPU(s), %s" % (names[0] if names else "unknown CPU", len(names), isa)
cpu = machine()
print("machine: " + cpu)
print("PyTorch: " + said)
print("BLAS: %s; recurrent kernel: %s" % (first.get("blas"), first.get("recurrent_kernel")))
print("sgemm peak (measured now by cadenza bench, 1024^3, %d thread(s)): %.0f GFLOP/s" % (threads, peak))
print()
head = ("shape", "ours tok/s", "torch tok/s", "ratio", "GFLOP/s", "% peak", "ours us/tok", "torch us/tok", "ratio", "ours tok/s")
print("%-7s | %10s %11s %6s %8s %7s | %11s %12s %6s %10s" % head)
print("%-7s | %s | %s" % ("", "training (want >= 1.5x; >= 75% peak medium, deep)".center(49), "sampling, torch oneDNN off (want >= 10x)".center(44)))
print("-" * 102)
ok = True
for s in shapes:
    o = ours[s]
    t = torch.get(s, {})
    tr = o["train_tokens_per_s"] / t["train"] if t.get("train") else float("nan")
    sr = t["sample_us"] / o["sample_us_per_token"] if t.get("sample_us") else float("nan")
    share = o["train_gflops"] / peak
    ok = ok and tr >= 1.5 and sr >= 10 and (s == "small" or share >= 0.75)
    print("%-7s | %10.0f %11.0f %6.2f %8.1f %6.0f%% | %11.1f %12.1f %6.1f %10.0f" % (
        s, o["train_tokens_per_s"], t.get("train", float("nan")), tr, o["train_gflops"], 100 * share,
        o["sample_us_per_token"], t.get("sample_us") or float("nan"), sr, o["sample_tokens_per_s"]))
print()
r = json.load(open(tmp + "/regenerate.json"))
if r:
    ok = ok and r["speedup"] >= 2.5
    print("best-of-%d regeneration (%s, %d-bar piece, %d tokens re-fed): batched %.1f ms, one by one %.1f ms: %.2fx (want >= 2.5x)" % (
        r["candidates"], r["checkpoint"], r["bars"], r["mean_following_tokens"], 1e3 * r["batched_median_s"],
        1e3 * r["sequential_median_s"], r["speedup"]))
else:
    ok = False
    print("best-of-K regeneration: not measured (see the error above)")
print()
print("bar met on every shape" if ok else "bar NOT met on every shape (see ratios)")

# BENCH_UPDATE_README=1: the README's table between its bench/lstm.sh markers is rewritten from this run.
import os, re
if os.environ.get("BENCH_UPDATE_README") == "1":
    names = {"small": "small 2×256", "medium": "medium 2×512", "deep": "deep 3×512"}
    rows = ["| | Cadenza | PyTorch in the same run | ratio |", "| --- | ---: | ---: | ---: |"]
    for s in shapes:
        o, t = ours[s], torch.get(s, {})
        rows.append("| LSTM training, %s (tokens/s; %% of sgemm peak) | %s (%.0f%%) | %s | %.2f× |" % (
            names[s], format(round(o["train_tokens_per_s"]), ","), 100 * o["train_gflops"] / peak,
            format(round(t.get("train", 0)), ","), o["train_tokens_per_s"] / t["train"] if t.get("train") else float("nan")))
    for s in shapes:
        o, t = ours[s], torch.get(s, {})
        rows.append("| sampling latency, %s (µs/token; PyTorch oneDNN off) | %.0f | %s | %.1f× faster |" % (
            names[s], o["sample_us_per_token"], format(round(t.get("sample_us") or 0), ","),
            (t.get("sample_us") or float("nan")) / o["sample_us_per_token"]))
    if r:
        rows += ["", "| | K candidates batched | one at a time | speed-up |", "| --- | ---: | ---: | ---: |",
                 "| best-of-%d regeneration of a bar, bundled model (ms) | %.0f | %.0f | %.2f× |" % (
            r["candidates"], 1e3 * r["batched_median_s"], 1e3 * r["sequential_median_s"], r["speedup"])]
    note = ("Machine: %s. sgemm peak measured in the same run: %.0f GFLOP/s on %d thread(s); BLAS: %s; recurrent kernel: %s. PyTorch: %s." %
            (cpu, peak, threads, first.get("blas"), first.get("recurrent_kernel"), said))
    block = "\n".join(rows) + "\n\n" + note + "\n"
    readme_path = os.environ["BENCH_README_PATH"]
    text = open(readme_path).read()
    begin, end = "<!-- begin bench/lstm.sh -->\n", "<!-- end bench/lstm.sh -->"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        open(readme_path, "w").write(head + begin + block + end + tail)
        print("README.md: the bench/lstm.sh table rewritten")
    else:
        print("README.md has no bench/lstm.sh markers; table not written", file=sys.stderr)
EOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
