#!/usr/bin/env bash
# Hostile checkpoints (issue 13), crafted from the tiny generation fixture: each must give a
# clear error and a non-zero exit, never a crash, a NaN result or a file written.
#   a vocabulary over 65,535 tokens (eval --data trapped with SIGILL); weights of 3e38
#   (eval printed "mean NLL -nan", generate wrote a MIDI file); a tensor named twice;
#   metadata V that contradicts the shapes; an ESC in a dtype (echoed raw to the terminal).
# Hostile files and faults (issue 13, second part): a tiny MIDI file whose note is 2^28 bars
#   late (8.6 GB allocated, a 7.6 GB temporary WAV), audio too long to render, a zero-length
#   tempo (ignored without a word), a silent SoundFont (exit 0, no warning), FIFOs and
#   devices as inputs ("permission denied"), and renders killed by a signal (a .tmp left).
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
# --- Hostile MIDI files and faults ---------------------------------------------------------
FIX="$HERE/../Fixtures/hostile"
# midi OUT KIND: late (a note 2^28 bars late, 66 bytes), slow (a note 1,000 bars late at the
# slowest tempo a file can state: 18.6 hours), long (10 minutes of quarter notes), tempo0 (a
# tempo event of length 0 at byte 23, then a note). Made here, not kept in Tests/Fixtures,
# where every folder scan (info, stats, tokenize --report) would meet them.
midi() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
out, kind = sys.argv[1:]
def vlq(n):
    b = [n & 0x7F]; n >>= 7
    while n: b.insert(0, (n & 0x7F) | 0x80); n >>= 7
    return bytes(b)
def wait(ticks):  # empty text events carry the longest deltas
    ev = b""
    while ticks > 0:
        d = min(ticks, 0x0FFFFFFF); ev += vlq(d) + b"\xff\x01\x00"; ticks -= d
    return ev
tpq, ev = 96, b""
if kind == "late": tpq, ev = 1, wait(1 << 30)
if kind == "slow": ev = b"\x00\xff\x51\x03\xff\xff\xff" + wait(1000 * 4 * 96)
if kind == "tempo0": ev = b"\x00\xff\x51\x00"
notes = 1200 if kind == "long" else 1
for i in range(notes): ev += b"\x00\x90" + bytes([48 + i % 24, 64]) + vlq(tpq) + b"\x80" + bytes([48 + i % 24, 64])
ev += b"\x00\xff\x2f\x00"
open(out, "wb").write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, tpq) + b"MTrk" + struct.pack(">I", len(ev)) + ev)
PY
}

# Every size that follows from the file is checked before any work, in bounded memory.
midi "$T/late.mid" late
[ "$(wc -c < "$T/late.mid")" -le 105 ] || fail "late.mid is not tiny"
LATE="late.mid: the piece is 268435457 bars long; Cadenza handles at most 100000 bars"
for cmd in "info" "tokenize" "render --output $T/late.wav"; do
  # shellcheck disable=SC2086
  (ulimit -v 1000000; bad "$LATE" $BIN $cmd "$T/late.mid") || exit 1
done
(ulimit -v 1000000; bad "--primer: $T/$LATE" $BIN generate --checkpoint "$CKPT" --primer "$T/late.mid" -o "$T/primed.mid" --bars 2) || exit 1
[ ! -e "$T/late.wav" ] && [ ! -e "$T/primed.mid" ] || fail "a file was written for late.mid"

midi "$T/slow.mid" slow
bad "the audio would last 18.6 hours (67128 s); Cadenza renders at most 4 hours (14400 s)" $BIN render "$T/slow.mid" -o "$T/slow.wav"
[ -z "$(ls -A "$T" | grep -F slow.wav)" ] || fail "render of slow.mid left a file"
$BIN info "$T/slow.mid" | grep -qF "duration:    67125.6 s, 1001 bars" || fail "info does not give slow.mid's length"

# Damaged but readable: one warning line per file, and the file is used.
midi "$T/tempo0.mid" tempo0
Z="$T/tempo0.mid"
WARN="warning: $Z: byte 23: tempo event with 0 data bytes (it has 3); ignored"
for cmd in info tokenize; do
  $BIN $cmd "$Z" > /dev/null 2> "$T/err" || fail "$cmd refused the damaged file: $(cat "$T/err")"
  [ "$(grep -cF "cadenza $cmd: $WARN" "$T/err")" = 1 ] || fail "$cmd: no single warning: $(cat "$T/err")"
done
$BIN render "$Z" -o "$T/z.wav" -q > /dev/null 2> "$T/err" || fail "render refused the damaged file: $(cat "$T/err")"
[ "$(grep -cF "cadenza render: $WARN" "$T/err")" = 1 ] || fail "render: no single warning: $(cat "$T/err")"
# play reads the file before it opens a device, so the warning comes without ALSA too.
$BIN play "$Z" --synth builtin --device null > /dev/null 2> "$T/err" || true
[ "$(grep -cF "cadenza play: $WARN" "$T/err")" = 1 ] || fail "play: no single warning: $(cat "$T/err")"

# A SoundFont that renders silence: written, exit 0, and a warning.
$BIN render "$Z" -o "$T/s.wav" --soundfont "$FIX/silent.sf2" -q > /dev/null 2> "$T/err" || fail "render with silent.sf2 failed: $(cat "$T/err")"
grep -qF "cadenza render: warning: the rendered audio is silent (peak below -90 dBFS): $T/s.wav; the SoundFont's piano makes no sound" "$T/err" \
  || fail "no silence warning: $(cat "$T/err")"
$BIN render "$Z" -o "$T/z.wav" -q 2>&1 | grep -q "silent" && fail "the built-in piano was called silent"

# FIFOs and devices are refused before they are opened.
mkfifo "$T/fifo"
bad "cannot read $T/fifo: is not a regular file" $BIN render "$Z" -o "$T/f.wav" --soundfont "$T/fifo"
bad "cannot read /dev/zero: is not a regular file" $BIN render "$Z" -o "$T/f.wav" --soundfont /dev/zero
bad "cannot read $T/fifo: is not a regular file" $BIN generate --checkpoint "$T/fifo" -o "$T/f.mid" --bars 1
bad "$T/fifo: is not a regular file" $BIN info "$T/fifo"
bad "$T/fifo: cannot read: is not a regular file" $BIN eval --checkpoint "$CKPT" --tokens "$T/fifo"

# A render ended by a signal leaves neither the file nor its temporary file. INT, HUP and
# TERM are restored to their defaults first (a background job or nohup starts with some
# ignored, and the render keeps an ignored signal ignored).
midi "$T/long.mid" long
mkdir "$T/sig"
for sig in TERM HUP INT; do
  python3 - "$BIN" "$T/long.mid" "$T/sig/long.wav" "$sig" <<'PY' || fail "render killed by SIG$sig"
import os, signal, subprocess, sys, time
binary, src, out, name = sys.argv[1:]
number = getattr(signal, "SIG" + name)
def defaults():  # a background job or nohup starts with INT or HUP ignored, which we keep
    for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
p = subprocess.Popen([binary, "render", src, "-o", out, "-q"], stderr=subprocess.DEVNULL, preexec_fn=defaults)
# The signal arrives while the temporary file is being written (a release build renders
# a minute of audio in a quarter of a second, so wait for the file, not for a time).
folder, deadline = os.path.dirname(out), time.time() + 20
while p.poll() is None and time.time() < deadline and not any(f.endswith(".tmp") for f in os.listdir(folder)):
    time.sleep(0.0005)
p.send_signal(number)
status = p.wait(timeout=30)
sys.exit(0 if status == -number else "exit status %r, not killed by the signal" % status)
PY
  [ -z "$(ls -A "$T/sig")" ] || fail "SIG$sig left: $(ls -A "$T/sig")"
done
echo "hostile: all cases refused cleanly"
