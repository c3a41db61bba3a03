#!/usr/bin/env bash
# `cadenza play`: the built-in synth into ALSA's `file` PCM plugin (captures what is
# written, no sound card needed) must hold each note at its time; without a softsynth the
# built-in piano plays on the default device; --port fails clearly where there is no
# /dev/snd/seq; bad arguments and files are errors.
set -uo pipefail
BIN=$1
fail() { echo "play: $*" >&2; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# A format 0 file, 480 ticks per quarter, 120 BPM: C4, A4, A5 at 0.5, 1.0, 1.5 s, 0.25 s each.
printf 'MThd\0\0\0\6\0\0\0\1\1\340MTrk\0\0\0\051' >"$TMP/three.mid"
printf '\0\377\121\3\7\241\40' >>"$TMP/three.mid"
printf '\203\140\220\74\144' >>"$TMP/three.mid"   # +480 note on 60
printf '\201\160\200\74\0'   >>"$TMP/three.mid"   # +240 note off 60
printf '\201\160\220\105\144' >>"$TMP/three.mid"  # +240 note on 69
printf '\201\160\200\105\0'  >>"$TMP/three.mid"
printf '\201\160\220\121\144' >>"$TMP/three.mid"  # +240 note on 81
printf '\201\160\200\121\0'  >>"$TMP/three.mid"
printf '\0\377\57\0'         >>"$TMP/three.mid"

# 1. Built-in synth into a raw capture: whole file (1.75 s of notes + 1 s release).
"$BIN" play "$TMP/three.mid" --synth builtin --device "file:'$TMP/all.raw',raw" 2>"$TMP/err" \
  || fail "builtin synth play failed: $(cat "$TMP/err")"
grep -q "built-in synth → ALSA PCM" "$TMP/err" || fail "no status line: $(cat "$TMP/err")"
# 2. The same for at most 1.2 s: only the first two notes.
"$BIN" play "$TMP/three.mid" --synth builtin --device "file:'$TMP/short.raw',raw" --seconds 1.2 2>"$TMP/err" \
  || fail "--seconds play failed: $(cat "$TMP/err")"

if command -v python3 >/dev/null 2>&1; then
  python3 - "$TMP/all.raw" "$TMP/short.raw" <<'PY' || fail "captured audio is wrong (see above)"
import array, math, sys
RATE = 44100
def load(path):
    a = array.array('h'); a.frombytes(open(path, 'rb').read())
    return [(a[i] + a[i + 1]) / 65536 for i in range(0, len(a) - 1, 2)]
def onsets(x):
    w = RATE // 200   # 5 ms windows
    env = [math.sqrt(sum(v * v for v in x[i:i + w]) / w) for i in range(0, len(x) - w, w)]
    peak = max(env); found = []; k = 4
    while k < len(env):
        if env[k] > 0.1 * peak and env[k] > 4 * env[k - 4]:
            found.append(k * 0.005); k += 20
        else:
            k += 1
    return found
def goertzel(x, f, start, n):
    c = 2 * math.cos(2 * math.pi * f / RATE); s1 = s2 = 0.0
    for v in x[start:start + n]:
        s1, s2 = v + c * s1 - s2, s1
    return s1 * s1 + s2 * s2 - c * s1 * s2
ok = True
def check(cond, what):
    global ok
    if not cond: print("play.sh:", what); ok = False
full, short = load(sys.argv[1]), load(sys.argv[2])
check(abs(len(full) / RATE - 2.75) < 0.05, "full capture lasts %.3f s, expected 2.75" % (len(full) / RATE))
check(abs(len(short) / RATE - 1.2) < 0.05, "--seconds 1.2 capture lasts %.3f s" % (len(short) / RATE))
check(max(abs(v) for v in full[:int(0.49 * RATE)]) < 1e-4, "sound before the first note")
got = onsets(full)
check(len(got) == 3 and all(abs(a - b) <= 0.015 for a, b in zip(got, [0.5, 1.0, 1.5])), "onsets %s, expected 0.5 1.0 1.5" % got)
for t, f in [(0.5, 261.63), (1.0, 440.0), (1.5, 880.0)]:
    p = {g: goertzel(full, g, int((t + 0.02) * RATE), RATE // 10) for g in (261.63, 440.0, 880.0)}
    check(max(p, key=p.get) == f, "at %.1f s the strongest of C4/A4/A5 is %s, expected %s" % (t, max(p, key=p.get), f))
check(len(onsets(short)) == 2, "--seconds 1.2 onsets %s, expected two" % onsets(short))
sys.exit(0 if ok else 1)
PY
else
  echo "play.sh: python3 missing, audio content not checked" >&2
  [ -s "$TMP/all.raw" ] || fail "empty capture"
fi

# 3. Without --port or --synth and no softsynth, the built-in piano plays on the default
#    PCM device: an ~/.asoundrc making that device a file capture shows it is heard.
if [ ! -e /dev/snd/seq ]; then
  mkdir -p "$TMP/home" "$TMP/bare"
  printf 'pcm.!default {\n  type file\n  slave.pcm "null"\n  file "%s"\n  format "raw"\n}\n' "$TMP/default.raw" >"$TMP/home/.asoundrc"
  HOME="$TMP/home" "$BIN" play "$TMP/three.mid" 2>"$TMP/err" || fail "fallback to the built-in piano failed: $(cat "$TMP/err")"
  grep -q "built-in synth → ALSA PCM 'default'" "$TMP/err" || fail "play does not say the built-in piano plays: $(cat "$TMP/err")"
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$TMP/default.raw" <<'PY' || fail "the fallback capture is silent"
import array, math, sys
a = array.array('h'); a.frombytes(open(sys.argv[1], 'rb').read())
rms = math.sqrt(sum(v * v for v in a) / max(1, len(a))) / 32768
assert rms > 0.005, rms
PY
  else
    [ -s "$TMP/default.raw" ] || fail "the fallback capture is empty"
  fi
  # Nothing to play on at all: every reason, exit 3 (unless this machine's default PCM opens).
  HOME="$TMP/bare" ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf "$BIN" play "$TMP/three.mid" --seconds 0.5 2>"$TMP/err"; status=$?
  if [ $status -ne 0 ]; then
    [ $status -eq 3 ] || fail "no backend: expected exit 3, got $status"
    grep -q "ALSA sequencer unavailable: no /dev/snd/seq" "$TMP/err" && grep -q "ALSA PCM device 'default'" "$TMP/err" \
      || fail "no backend: the message does not give both reasons: $(cat "$TMP/err")"
  fi
  "$BIN" play "$TMP/three.mid" --port 128:0 2>/dev/null; [ $? -eq 3 ] || fail "--port without a sequencer: expected exit 3"
fi

# 4. User errors.
"$BIN" play "$TMP/missing.mid" --synth builtin --device null 2>/dev/null; [ $? -eq 1 ] || fail "missing file: expected exit 1"
"$BIN" play "$TMP/three.mid" --synth builtin --device null --from-bar 9 2>"$TMP/err"; [ $? -eq 1 ] || fail "bar out of range: expected exit 1"
grep -q "out of range" "$TMP/err" || fail "bar out of range message: $(cat "$TMP/err")"
"$BIN" play "$TMP/three.mid" --synth fluid 2>/dev/null; [ $? -eq 2 ] || fail "unknown synth: expected exit 2"
"$BIN" play "$TMP/three.mid" --synth builtin --port 14:0 2>/dev/null; [ $? -eq 2 ] || fail "--port with --synth: expected exit 2"
"$BIN" play "$TMP/three.mid" --synth builtin --device "hw:NoSuchCard" 2>"$TMP/err"; [ $? -eq 3 ] || fail "bad PCM device: expected exit 3"
grep -q "cannot open ALSA PCM device 'hw:NoSuchCard'" "$TMP/err" || fail "bad device message: $(cat "$TMP/err")"
exit 0
