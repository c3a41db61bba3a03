#!/usr/bin/env bash
# The one checkpoint lookup and the one set of sampling ranges, as every command sees them:
# --checkpoint DIR picks best.safetensors else last.safetensors (generate, eval, stats);
# a file that is not a checkpoint is named for what it is; `info` shows a checkpoint's card;
# temperature 0 (greedy) is accepted and 100 refused, with the same message, by generate
# and compose.
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CKPT="$HERE/../Fixtures/checkpoints/generation_tiny.safetensors"
MIDI="$HERE/../Fixtures/chpn-p7.mid"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "checkpoints: $*" >&2; exit 1; }
status() { set +e; "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/status"; set -e; cat "$T/status"; }

# A folder stands for its run: last.safetensors alone, then best.safetensors first.
mkdir "$T/run"
[ "$(status "$BIN" generate --checkpoint "$T/run" -o "$T/x.mid" --bars 2)" = 1 ] || fail "an empty run folder was accepted"
grep -q "holds no best.safetensors or last.safetensors" "$T/err" || fail "empty folder message: $(cat "$T/err")"
cp "$CKPT" "$T/run/last.safetensors"
"$BIN" generate --checkpoint "$T/run" -o "$T/last.mid" --bars 2 --seed 5 --quiet
grep -aq "checkpoint=last.safetensors" "$T/last.mid" || fail "the folder did not mean last.safetensors"
cp "$CKPT" "$T/run/best.safetensors"
"$BIN" generate --checkpoint "$T/run" -o "$T/best.mid" --bars 2 --seed 5 --quiet
grep -aq "checkpoint=best.safetensors" "$T/best.mid" || fail "the folder did not mean best.safetensors"
echo '[[1, 3, 40, 60, 100, 3, 2]]' > "$T/ids.json"
"$BIN" eval --checkpoint "$T/run" --tokens "$T/ids.json" | grep -q "run/best.safetensors" || fail "eval did not pick best.safetensors"

# Not a checkpoint: say what it is, exit 1, for every command that loads one.
printf 'hello\n' > "$T/notes.txt"
for cmd in "generate -o $T/y.mid" "eval --tokens $T/ids.json" "stats --data $T"; do
  [ "$(status $BIN $cmd --checkpoint "$MIDI")" = 1 ] || fail "$cmd took a MIDI file as checkpoint"
  grep -q "this is a MIDI file, not a safetensors checkpoint" "$T/err" || fail "$cmd: $(cat "$T/err")"
  [ "$(status $BIN $cmd --checkpoint "$T/notes.txt")" = 1 ] || fail "$cmd took a text file as checkpoint"
  grep -q "this is a text file" "$T/err" || fail "$cmd: $(cat "$T/err")"
done
[ "$(status "$BIN" compose --checkpoint "$MIDI" --no-audio)" = 1 ] || fail "compose took a MIDI file as checkpoint"
grep -q "this is a MIDI file" "$T/err" || fail "compose: $(cat "$T/err")"
[ ! -e "$T/y.mid" ] || fail "a refused generate wrote a file"

# info: a checkpoint's card, as text and in the JSON array beside MIDI files.
"$BIN" info "$CKPT" > "$T/card"
for field in "LSTM checkpoint" architecture vocabulary styles "tokens seen" validation corpus; do
  grep -q "$field" "$T/card" || fail "the card lacks '$field': $(cat "$T/card")"
done
"$BIN" info --json "$CKPT" "$MIDI" | grep -q '"kind" : "checkpoint"' || fail "info --json has no checkpoint entry"

# Sampling ranges: one rule and one message in generate and compose.
"$BIN" generate --checkpoint "$CKPT" -o "$T/greedy.mid" --bars 2 --temperature 0 --quiet || fail "temperature 0 refused by generate"
for cmd in "generate -o $T/z.mid" "compose --no-audio"; do
  [ "$(status $BIN $cmd --checkpoint "$CKPT" --temperature 100)" = 2 ] || fail "$cmd accepted temperature 100"
  grep -q "temperature must be a number in \[0, 3\], 0 for the likeliest token (got 100.0)" "$T/err" || fail "$cmd: $(cat "$T/err")"
  [ "$(status $BIN $cmd --checkpoint "$CKPT" --top-p 0)" = 2 ] || fail "$cmd accepted top-p 0"
  grep -q "top-p must be a number in (0, 1\]" "$T/err" || fail "$cmd: $(cat "$T/err")"
done
exit 0
