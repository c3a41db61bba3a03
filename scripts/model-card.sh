#!/usr/bin/env bash
# Regenerates the measured sections of checkpoints/README.md (the model card) from
# commands: each section between `<!-- begin NAME -->` and `<!-- end NAME -->` is replaced
# by what its command prints. The prose around them is written by hand.
#   scripts/model-card.sh [CHECKPOINT] [DATA] [TRAINING_LOG]
# Sections: stats (cadenza stats with the settings table), tokenizer (cadenza tokenize
# --report, last lines), time-to-quality (scripts/nll-per-note.py on the training log).
# Takes about 20 minutes on two cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release/cadenza}
CKPT=${1:-$ROOT/checkpoints/cadenza-piano.safetensors}
DATA=${2:-$ROOT/../shared/corpus/scores}
LOG=${3:-$ROOT/checkpoints/training-log.csv}
CARD=$ROOT/checkpoints/README.md
OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT

# Two runs side by side, one core each: every table but the settings sweep, and the sweep.
"$BIN" stats --checkpoint "$CKPT" --data "$DATA" --pieces 100 --bars 32 --eval-pieces 30 --eval-bars 16 \
  --seed 1 --candidates 4 --regen-pieces 10 --threads 1 >"$OUT/main" 2>"$OUT/main.log" & MAIN=$!
"$BIN" stats --checkpoint "$CKPT" --data "$DATA" --pieces 1 --bars 2 --regen-pieces 0 --eval-pieces 30 \
  --eval-bars 16 --seed 1 --settings-table --threads 1 >"$OUT/sweep" 2>"$OUT/sweep.log" & SWEEP=$!
wait $MAIN || { cat "$OUT/main.log" >&2; exit 1; }
wait $SWEEP || { cat "$OUT/sweep.log" >&2; exit 1; }
{ cat "$OUT/main"; echo; sed -n '/^### Sampling settings/,$p' "$OUT/sweep"; } >"$OUT/stats"
"$BIN" tokenize --report "$DATA" | grep -E '^\| composer |^\|---|^\| all |^Key-finding|^grid' \
  | sed -e '/^grid/a\\' -e '/^| all /a\\' >"$OUT/tokenizer"
# Per note = per token x (predicted validation tokens / validation notes), both from stats.
counts=$(sed -n 's/.*LSTM NLL per note (all \([0-9]*\) token losses over the \([0-9]*\) notes).*/\1 \2/p' "$OUT/stats")
[ -n "$counts" ] || { echo "model-card: no NLL-per-note line in the stats output" >&2; exit 1; }
python3 "$ROOT/scripts/nll-per-note.py" "$LOG" $counts >"$OUT/time-to-quality"

python3 - "$CARD" "$OUT" <<'PY'
import re, sys, os
card, out = sys.argv[1], sys.argv[2]
text = open(card).read()
for name in ("stats", "tokenizer", "time-to-quality"):
    body = open(os.path.join(out, name)).read().rstrip("\n")
    pattern = re.compile(r"(<!-- begin %s -->\n).*?(\n<!-- end %s -->)" % (name, name), re.S)
    if not pattern.search(text):
        sys.exit("model-card: %s has no <!-- begin %s --> ... <!-- end %s --> section" % (card, name, name))
    text = pattern.sub(lambda m: m.group(1) + body + m.group(2), text)
open(card + ".tmp", "w").write(text)
os.replace(card + ".tmp", card)
PY
echo "model-card: $CARD regenerated"
