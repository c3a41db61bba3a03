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
# The script says which. A shared machine moves every figure by 15-50% between minutes, so
# the script runs BENCH_ROUNDS rounds (default 3), each measuring Cadenza and then PyTorch on
# every shape, and reports the medians over rounds (the ratio of the medians; the spread of
# the per-round ratios beside it). Env: BENCH_THREADS (default 2), BENCH_SHAPES (default
# "small medium deep"), BENCH_ROUNDS.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/.build/release/cadenza}
SHARED=${CADENZA_TORCH_BENCH_DIR:-$ROOT/../shared/bench}
# The venv scripts/check-torch.sh (and make test-torch) install torch into, when it exists.
VENV=${CADENZA_TORCH_VENV:-$HOME/.cache/cadenza/torch-venv}
THREADS=${BENCH_THREADS:-2}
SHAPES=${BENCH_SHAPES:-small medium deep}
ROUNDS=${BENCH_ROUNDS:-3}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$BIN" ] || { echo "bench/lstm.sh: no binary at $BIN (run: swift build -c release)" >&2; exit 1; }

[ -x "$BIN" ] || { echo "bench/lstm.sh: no binary at $BIN (run: swift build -c release)" >&2; exit 1; }
case $ROUNDS in ''|*[!0-9]*|0) echo "bench/lstm.sh: BENCH_ROUNDS must be a whole number >= 1" >&2; exit 2 ;; esac

torch_live=""
if [ -n "$VENV" ] && [ -x "$VENV/bin/python" ] && [ -f "$SHARED/torch_lstm_bench.py" ] \
   && "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  torch_live=1
fi

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other work skews every figure)"
for round in $(seq "$ROUNDS"); do
  R="$TMP/round-$round"
  mkdir -p "$R"
  echo "round $round of $ROUNDS: Cadenza${torch_live:+ and PyTorch} on $SHAPES, then best-of-K regeneration..."
  for shape in $SHAPES; do
    case $shape in
      small)  args="--vocab 200 --embedding 128 --hidden 256 --layers 2 --batch-size 64 --seq-len 128" ;;
      medium) args="--vocab 200 --embedding 256 --hidden 512 --layers 2 --batch-size 64 --seq-len 128" ;;
      deep)   args="--vocab 200 --embedding 256 --hidden 512 --layers 3 --batch-size 32 --seq-len 128" ;;
      *) echo "unknown shape $shape" >&2; exit 1 ;;
    esac
    # shellcheck disable=SC2086
    "$BIN" bench $args --threads "$THREADS" --json > "$R/ours-$shape.json" || { echo "cadenza bench failed on $shape" >&2; exit 1; }
    if [ -n "$torch_live" ]; then
      # Training with PyTorch's default (oneDNN on, its faster trainer); sampling with oneDNN
      # off (its faster one-token path), each in its own run.
      if ! { "$VENV/bin/python" "$SHARED/torch_lstm_bench.py" --threads "$THREADS" --configs "$shape" \
               --skip-sample --retries 1 --out "$R/torch-train-$shape.json" \
             && "$VENV/bin/python" "$SHARED/torch_lstm_bench.py" --threads "$THREADS" --configs "$shape" \
               --skip-train --no-mkldnn --no-sample-variant --retries 1 --out "$R/torch-sample-$shape.json"; } \
           >> "$TMP/torch.log" 2>&1; then
        echo "PyTorch run failed (see below); falling back to stored figures" >&2
        tail -5 "$TMP/torch.log" >&2
        torch_live=""
      fi
    fi
  done
  "$BIN" bench --regenerate --threads "$THREADS" --json > "$R/regenerate.json" 2> "$R/regenerate.err" \
    || { echo "cadenza bench --regenerate failed: $(cat "$R/regenerate.err")" >&2; echo '{}' > "$R/regenerate.json"; }
done

if [ -n "$torch_live" ]; then
  torch_source="live|measured in each round with $VENV (training oneDNN on, sampling oneDNN off)"
elif [ -f "$SHARED/results-torch.json" ]; then
  torch_source="$SHARED/results-torch.json|stored figures from $SHARED/results-torch.json (set CADENZA_TORCH_VENV to re-measure)"
else
  torch_source="$ROOT/bench/torch-reference.json|stored figures from bench/torch-reference.json (set CADENZA_TORCH_VENV to re-measure)"
fi

BENCH_README_PATH="$ROOT/README.md" python3 - "$TMP" "$THREADS" "$ROUNDS" "$torch_source" $SHAPES <<'EOF'
import json, os, statistics, sys
tmp, threads, rounds, source = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
shapes = sys.argv[5:]
path, said = source.split("|", 1)
median = statistics.median

def torch_figures(train_path, sample_path):
    """{shape: dict(train=tokens/s, sample_us=µs/token)} from torch_lstm_bench.py's two outputs."""
    out = {}
    for r in json.load(open(train_path))["runs"]:
        if r["threads"] == threads:
            out.setdefault(r["config"], {})["train"] = r["train"]["tokens_per_s"]
    for r in json.load(open(sample_path))["runs"]:
        if r["threads"] == threads and r.get("sample"):
            out.setdefault(r["config"], {})["sample_us"] = r["sample"]["median_latency_us"]
    return out

def stored_figures():
    data = json.load(open(path))
    figures = {}
    if "runs" in data:  # ../shared/bench/results-torch.json
        for r in data["runs"]:
            if r["threads"] == threads:
                off = r.get("sample_mkldnn_off") or r.get("sample") or {}
                figures[r["config"]] = dict(train=r["train"]["tokens_per_s"], sample_us=off.get("median_latency_us"))
    else:  # bench/torch-reference.json (2 threads)
        for k, v in data["torch"].items():
            figures[k] = dict(train=v["train_tokens_per_s"], sample_us=v["sample_us_per_token_onednn_off"])
    return figures

# Per round: ours[s] and torch[s] of that round (PyTorch measured right after Cadenza).
per_round = []
for i in range(1, rounds + 1):
    d = "%s/round-%d" % (tmp, i)
    ours = {s: json.load(open("%s/ours-%s.json" % (d, s))) for s in shapes}
    if path == "live":
        torch = {}
        for s in shapes:
            torch.update(torch_figures("%s/torch-train-%s.json" % (d, s), "%s/torch-sample-%s.json" % (d, s)))
    else:
        torch = stored_figures()
    regen = json.load(open(d + "/regenerate.json"))
    per_round.append(dict(ours=ours, torch=torch, regen=regen))

def series(f):
    """f over the rounds, skipping rounds where it is missing."""
    values = []
    for r in per_round:
        try:
            v = f(r)
        except (KeyError, TypeError, ZeroDivisionError):
            continue
        if v is not None:
            values.append(v)
    return values

def med(values):
    return median(values) if values else float("nan")

def spread(values, fmt="%.2f"):
    return (fmt + "-" + fmt) % (min(values), max(values)) if len(values) > 1 else ""

rows = {}
for s in shapes:
    train = series(lambda r: r["ours"][s]["train_tokens_per_s"])
    torch_train = series(lambda r: r["torch"][s]["train"])
    sample = series(lambda r: r["ours"][s]["sample_us_per_token"])
    torch_sample = series(lambda r: r["torch"][s]["sample_us"])
    rows[s] = dict(
        train=med(train), torch_train=med(torch_train),
        train_ratio=med(train) / med(torch_train) if torch_train else float("nan"),
        train_ratios=series(lambda r: r["ours"][s]["train_tokens_per_s"] / r["torch"][s]["train"]),
        gflops=med(series(lambda r: r["ours"][s]["train_gflops"])),
        # The share of the sgemm peak the same invocation measured just before training.
        share=med(series(lambda r: r["ours"][s]["train_gflops"] / r["ours"][s]["sgemm_peak_gflops"])),
        shares=series(lambda r: r["ours"][s]["train_gflops"] / r["ours"][s]["sgemm_peak_gflops"]),
        sample=med(sample), torch_sample=med(torch_sample),
        sample_ratio=med(torch_sample) / med(sample) if torch_sample else float("nan"),
        sample_ratios=series(lambda r: r["torch"][s]["sample_us"] / r["ours"][s]["sample_us_per_token"]),
        sample_tps=med(series(lambda r: r["ours"][s]["sample_tokens_per_s"])),
        # The same model's weights rounded to F16 (as --dtype f16 saves them), streamed as F16.
        sample_f16=med(series(lambda r: r["ours"][s]["sample_f16_us_per_token"])),
        sample_f16_ratios=series(lambda r: r["torch"][s]["sample_us"] / r["ours"][s]["sample_f16_us_per_token"]))
    rows[s]["sample_f16_ratio"] = rows[s]["torch_sample"] / rows[s]["sample_f16"] if torch_sample else float("nan")
peaks = series(lambda r: max(o["sgemm_peak_gflops"] for o in r["ours"].values()))
regens = [r["regen"] for r in per_round if r["regen"]]
first = per_round[0]["ours"][shapes[0]]

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
print()
print("machine: " + cpu)
print("PyTorch: " + said)
print("BLAS: %s; recurrent kernel: %s" % (first.get("blas"), first.get("recurrent_kernel")))
print("sgemm peak (measured by cadenza bench before each shape, 1024^3, %d thread(s)): median %.0f GFLOP/s, rounds %s" % (
    threads, med(peaks), spread(peaks, "%.0f")))
print("medians of %d round(s); in brackets the spread of the per-round ratios" % rounds)
print()
head = ("shape", "ours tok/s", "torch tok/s", "ratio", "(rounds)", "GFLOP/s", "% peak (rounds)", "ours us/tok", "torch us/tok", "ratio",
        "f16 us/tok", "ratio")
print("%-7s | %10s %11s %6s %11s %8s %13s | %11s %12s %5s | %10s %5s" % head)
print("%-7s | %s | %s | %s" % ("", "training (want >= 1.5x; >= 75% peak medium, deep)".center(65),
                               "sampling, torch oneDNN off (want >= 10x)".center(42), "F16 weights".center(28)))
print("-" * 150)
ok = True
for s in shapes:
    r = rows[s]
    ok = ok and r["train_ratio"] >= 1.5 and r["sample_ratio"] >= 10 and (s == "small" or r["share"] >= 0.75)
    print("%-7s | %10.0f %11.0f %6.2f %11s %8.1f %4.0f%% %8s | %11.1f %12.1f %5.1f %-10s | %10.1f %5.1f %s" % (
        s, r["train"], r["torch_train"], r["train_ratio"], "[%s]" % spread(r["train_ratios"]) if r["train_ratios"][1:] else "",
        r["gflops"], 100 * r["share"], "[%s]" % spread([100 * x for x in r["shares"]], "%.0f") if r["shares"][1:] else "",
        r["sample"], r["torch_sample"], r["sample_ratio"], "[%s]" % spread(r["sample_ratios"], "%.1f") if r["sample_ratios"][1:] else "",
        r["sample_f16"], r["sample_f16_ratio"], "[%s]" % spread(r["sample_f16_ratios"], "%.1f") if r["sample_f16_ratios"][1:] else ""))
print()
print("F16 weights: the same model with its weights rounded to F16, as `cadenza train --dtype f16` saves them (the")
print("bundled model is): sampled from F16 packs, half the bytes a step streams, the same bits as F32 packs of those")
print("weights; PyTorch's time is its F32 time (its speed does not depend on the values). The bar is judged on F32.")
print()
if regens:
    g = regens[0]
    batched = med([x["batched_median_s"] for x in regens])
    sequential = med([x["sequential_median_s"] for x in regens])
    speedups = [x["speedup"] for x in regens]
    speedup = sequential / batched
    ok = ok and speedup >= 2.5
    print("best-of-%d regeneration (%s, %d-bar piece, %d tokens re-fed): batched %.1f ms, one by one %.1f ms: %.2fx%s (want >= 2.5x)" % (
        g["candidates"], g["checkpoint"], g["bars"], g["mean_following_tokens"], 1e3 * batched, 1e3 * sequential, speedup,
        " [%s]" % spread(speedups) if len(speedups) > 1 else ""))
    steps = [x["batched_step_s"] / x["stream_step_s"] for x in regens if x.get("stream_step_s")]
    if steps:
        print("  the model alone: a batched step of %d streams costs %.2f steps of one (rounds %s)" % (
            g["candidates"], med(steps), spread(steps) or "%.2f" % steps[0]))
else:
    ok = False
    print("best-of-K regeneration: not measured (see the error above)")
print()
print("bar met on every shape" if ok else "bar NOT met on every shape (see ratios)")

# BENCH_UPDATE_README=1: the README's table between its bench/lstm.sh markers is rewritten from this run.
if os.environ.get("BENCH_UPDATE_README") == "1":
    names = {"small": "small 2×256", "medium": "medium 2×512", "deep": "deep 3×512"}
    def rng(values, fmt):
        return " (rounds %s)" % spread(values, fmt) if len(values) > 1 else ""
    lines = ["| | Cadenza | PyTorch in the same rounds | ratio |", "| --- | ---: | ---: | ---: |"]
    for s in shapes:
        r = rows[s]
        lines.append("| LSTM training, %s (tokens/s; %% of sgemm peak) | %s (%.0f%%) | %s | %.2f×%s |" % (
            names[s], format(round(r["train"]), ","), 100 * r["share"], format(round(r["torch_train"]), ","),
            r["train_ratio"], rng(r["train_ratios"], "%.2f")))
    for s in shapes:
        r = rows[s]
        lines.append("| sampling latency, %s (µs/token; PyTorch oneDNN off) | %.0f | %s | %.1f× faster%s |" % (
            names[s], r["sample"], format(round(r["torch_sample"]), ","), r["sample_ratio"], rng(r["sample_ratios"], "%.1f")))
    for s in shapes:
        r = rows[s]
        lines.append("| sampling latency, %s, weights stored as F16 (µs/token; PyTorch as above) | %.0f | %s | %.1f× faster%s |" % (
            names[s], r["sample_f16"], format(round(r["torch_sample"]), ","), r["sample_f16_ratio"], rng(r["sample_f16_ratios"], "%.1f")))
    if regens:
        lines += ["", "| | K candidates batched | one at a time | speed-up |", "| --- | ---: | ---: | ---: |",
                  "| best-of-%d regeneration of a bar, bundled model (ms) | %.0f | %.0f | %.2f×%s |" % (
            regens[0]["candidates"], 1e3 * batched, 1e3 * sequential, speedup, rng(speedups, "%.2f"))]
    note = ("Medians of %d rounds, each measuring Cadenza and then PyTorch. Machine: %s. sgemm peak measured before each shape: median %.0f GFLOP/s on %d thread(s); BLAS: %s; recurrent kernel: %s. PyTorch: %s." %
            (rounds, cpu, med(peaks), threads, first.get("blas"), first.get("recurrent_kernel"), said))
    block = "\n".join(lines) + "\n\n" + note + "\n"
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
