#!/usr/bin/env bash
# Hostile checkpoints (issue 13), crafted from the tiny generation fixture: each must give a
# clear error and a non-zero exit, never a crash, a NaN result or a file written.
#   a vocabulary over 65,535 tokens (eval --data trapped with SIGILL); weights of 3e38
#   (eval printed "mean NLL -nan", generate wrote a MIDI file); a tensor named twice;
#   metadata V that contradicts the shapes; an ESC in a dtype (echoed raw to the terminal).
set -euo pipefail
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CKPT="$HERE/../Fixtures/checkpoints/generation_tiny.safetensors"
command -v python3 >/dev/null 2>&1 || { echo "hostile: python3 not installed; skipped"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "hostile: $*" >&2; exit 1; }
mkdir "$T/data"
cp "$HERE/../Fixtures/chpn-p7.mid" "$T/data/"
echo '[[1, 3, 5, 7, 9, 11]]' > "$T/tokens.json"

# craft KIND OUT: a variant of the fixture (see the header comment).
craft() {
  python3 - "$CKPT" "$1" "$2" <<'PY'
import json, struct, sys
src, kind, out = sys.argv[1:]
data = open(src, "rb").read()
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
meta = header.pop("__metadata__")
blob = data[8 + n:]
tensors = {k: (v["dtype"], v["shape"], blob[v["data_offsets"][0]:v["data_offsets"][1]]) for k, v in header.items()}
entries = None
if kind == "bigvocab":
    vocab = json.loads(meta["vocabulary"])
    vocab.pop("tokens", None)
    vocab["styles"] = ["s%d" % i for i in range(70000)]
    meta["vocabulary"] = json.dumps(vocab)
    V = 310 - 2 + 70000
    model = json.loads(meta["model"]); model["V"] = V; meta["model"] = json.dumps(model)
    for name, cols in [("embedding.weight", 8), ("head.weight", 16), ("head.bias", None)]:
        shape = [V, cols] if cols else [V]
        count = V * (cols or 1)
        tensors[name] = ("F16", shape, b"\x00\x00" * count)
elif kind == "huge":
    for name, (dtype, shape, raw) in list(tensors.items()):
        count = len(raw) // 2
        tensors[name] = ("F32", shape, struct.pack("<f", 3e38) * count)
elif kind == "contradiction":
    model = json.loads(meta["model"]); model["V"] = 311; meta["model"] = json.dumps(model)
elif kind == "escdtype":
    dtype, shape, raw = tensors["head.bias"]
    tensors["head.bias"] = ("\x1b[31mF16", shape, raw)
parts, offset, body = [], 0, b""
for name, (dtype, shape, raw) in tensors.items():
    parts.append(json.dumps(name) + ":" + json.dumps({"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}))
    offset += len(raw); body += raw
if kind == "duplicate":  # head.bias named again, over the same bytes as the first entry
    parts.append(json.dumps("head.bias") + ":" + json.dumps(json.loads(parts[-1].split(":", 1)[1])))
text = "{" + json.dumps("__metadata__") + ":" + json.dumps(meta) + "," + ",".join(parts) + "}"
text += " " * (-(8 + len(text.encode())) % 8)
open(out, "wb").write(struct.pack("<Q", len(text.encode())) + text.encode() + body)
PY
}

# bad EXPECT CMD...: fails with a non-zero exit below 128 (no crash), the message on stderr.
bad() {
  local expect=$1; shift
  local status=0
  "$@" > "$T/out" 2> "$T/err" || status=$?
  [ "$status" -ne 0 ] || fail "exit 0 for: $* ($(cat "$T/out"))"
  [ "$status" -lt 128 ] || fail "crashed with status $status: $* ($(tail -3 "$T/err"))"
  grep -qF -- "$expect" "$T/err" || fail "message for '$*' lacks '$expect': $(cat "$T/err")"
  if grep -q $'\x1b' "$T/err"; then fail "raw ESC on stderr for: $*"; fi
}

craft bigvocab "$T/bigvocab.safetensors"
bad "the vocabulary has 70308 tokens (70000 of them styles), more than the 65535 that 16-bit token ids can hold" $BIN eval --checkpoint "$T/bigvocab.safetensors" --data "$T/data"

craft huge "$T/huge.safetensors"
bad "the loss is NaN" $BIN eval --checkpoint "$T/huge.safetensors" --tokens "$T/tokens.json"
bad "$T/huge.safetensors: the loss is" $BIN eval --checkpoint "$T/huge.safetensors" --data "$T/data"
bad "huge.safetensors gives NaN or infinite logits" $BIN generate --checkpoint "$T/huge.safetensors" -o "$T/huge.mid" --bars 2
[ ! -e "$T/huge.mid" ] || fail "generate wrote a MIDI file from NaN logits"

craft duplicate "$T/duplicate.safetensors"
bad "tensor 'head.bias' given twice" $BIN eval --checkpoint "$T/duplicate.safetensors" --tokens "$T/tokens.json"

craft contradiction "$T/contradiction.safetensors"
bad "the metadata says V=311 but the tensors have 310 rows of embedding.weight" \
  $BIN eval --checkpoint "$T/contradiction.safetensors" --tokens "$T/tokens.json"

craft escdtype "$T/escdtype.safetensors"
bad "unknown dtype '\\x1B[31mF16'" $BIN eval --checkpoint "$T/escdtype.safetensors" --tokens "$T/tokens.json"

# Crafted without a change, the fixture still evaluates (so the crafting itself is sound).
craft none "$T/same.safetensors"
$BIN eval --checkpoint "$T/same.safetensors" --tokens "$T/tokens.json" > /dev/null || fail "the re-crafted fixture does not evaluate"
echo "hostile: all cases refused cleanly"
