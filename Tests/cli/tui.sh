#!/usr/bin/env bash
# The terminal composer end to end in a real terminal (tmux, 120x40, private socket):
# notes appear; `+` twice raises the temperature by 0.10; `r` changes the selected bar
# and leaves the others (checked in saved MIDI files); choosing a take and accepting a
# rewritten candidate keep the music going; backspace rewinds and pauses; `s` saves a file
# that parses and holds the bars shown; `?` shows the help; resizing to 60x15 and back;
# 20x8 shows the too-small message; `q` quits back to the shell; Ctrl-C and Ctrl-\ leave a
# recovery file. Uses the bundled model when present, else an untrained one.
set -uo pipefail
BIN=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v tmux >/dev/null 2>&1 || { echo "tui: tmux not installed; skipped"; exit 0; }
command -v python3 >/dev/null 2>&1 || { echo "tui: python3 not installed; skipped"; exit 0; }

WORK=$(mktemp -d)
SOCKET="cadenza-tui-$$"
T() { tmux -L "$SOCKET" "$@"; }
# The composer may still be writing its recovery file when the server goes: retry once.
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$WORK" 2>/dev/null || { sleep 1; rm -rf "$WORK"; }; }
trap cleanup EXIT
fail() {
  echo "tui: FAIL: $*" >&2
  echo "---- screen ----" >&2; T capture-pane -p >&2 2>/dev/null; echo "----------------" >&2
  exit 1
}

MODEL=(--untrained)
[ -f "$ROOT/checkpoints/cadenza-piano.safetensors" ] && MODEL=(--checkpoint "$ROOT/checkpoints/cadenza-piano.safetensors")

screen() { T capture-pane -p; }
# wait_for REGEX [SECONDS]: polls the pane until a line matches.
wait_for() {
  local pattern=$1 limit=${2:-10} start=$SECONDS
  while (( SECONDS - start < limit )); do
    screen | grep -Eq -- "$pattern" && return 0
    sleep 0.1
  done
  return 1
}
wait_gone() {
  local pattern=$1 limit=${2:-10} start=$SECONDS
  while (( SECONDS - start < limit )); do
    screen | grep -Eq -- "$pattern" || return 0
    sleep 0.1
  done
  return 1
}
status() { screen | tail -2 | head -1; }
ruler() { screen | head -1; }
last_bar_number() { ruler | grep -oE '(^| )[0-9]+' | tail -1 | tr -d ' '; }
last_message() { screen | tail -1 | sed -n 's/.* | //p'; }
bars_now() { status | grep -oE 'bars [0-9]+' | grep -oE '[0-9]+'; }
# grows_by N SECONDS: the piece gains N accepted bars within SECONDS.
grows_by() {
  local from start=$SECONDS
  from=$(bars_now)
  while (( SECONDS - start < $2 )); do
    (( $(bars_now) >= from + $1 )) && return 0
    sleep 0.2
  done
  return 1
}

# Notes of a MIDI file, and its bars (from time signatures), printed as JSON.
cat >"$WORK/midi.py" <<'PY'
import json, sys
def read(path):
    data = open(path, "rb").read()
    assert data[:4] == b"MThd", "not a MIDI file"
    tpq = int.from_bytes(data[12:14], "big")
    global tempos
    pos, notes, sigs = 8 + int.from_bytes(data[4:8], "big"), [], []
    while pos < len(data):
        length = int.from_bytes(data[pos + 4:pos + 8], "big")
        track, pos = data[pos + 8:pos + 8 + length], pos + 8 + length
        i, tick, status, on = 0, 0, 0, {}
        while i < len(track):
            delta = 0
            while True:
                b = track[i]; i += 1; delta = (delta << 7) | (b & 127)
                if b < 128: break
            tick += delta
            if track[i] >= 128: status = track[i]; i += 1
            if status == 0xFF:
                kind = track[i]; i += 1; n = 0
                while True:
                    b = track[i]; i += 1; n = (n << 7) | (b & 127)
                    if b < 128: break
                if kind == 0x58: sigs.append((tick, track[i], 2 ** track[i + 1]))
                if kind == 0x51: tempos.append((tick, int.from_bytes(track[i:i + 3], "big")))
                i += n
            elif status in (0xF0, 0xF7):
                n = 0
                while True:
                    b = track[i]; i += 1; n = (n << 7) | (b & 127)
                    if b < 128: break
                i += n
            else:
                kind = status & 0xF0
                if kind in (0xC0, 0xD0): i += 1; continue
                a, b = track[i], track[i + 1]; i += 2
                if kind == 0x90 and b > 0: on[a] = tick
                elif kind in (0x80, 0x90) and a in on: notes.append((on.pop(a), a))
    return tpq, sorted(notes), sorted(sigs)
def bar_starts(tpq, sigs, end):
    starts, tick, num, den, k = [], 0, 4, 4, 0
    while k < len(sigs) and sigs[k][0] <= 0: num, den = sigs[k][1], sigs[k][2]; k += 1
    while True:
        starts.append(tick)
        nxt = tick + num * tpq * 4 // den
        if k < len(sigs) and sigs[k][0] < nxt: nxt = max(tick + 1, sigs[k][0])
        while k < len(sigs) and sigs[k][0] <= nxt: num, den = sigs[k][1], sigs[k][2]; k += 1
        tick = nxt
        if tick > end: return starts
tempos = []
tpq, notes, sigs = read(sys.argv[1])
end = max([t for t, _ in notes], default=0)
starts = bar_starts(tpq, sigs, end)
bars = {}
for t, p in notes:
    b = max(i for i, s in enumerate(starts) if s <= t)
    bars.setdefault(b, []).append([t - starts[b], p])
print(json.dumps({"notes": len(notes), "bars": len(starts), "per_bar": {str(k): v for k, v in bars.items()},
                  "tempos": sorted(tempos)}))
PY
midi_json() { python3 "$WORK/midi.py" "$1"; }

start_shell() {
  T new-session -d -x "${1:-120}" -y "${2:-40}" "env -i PATH=$PATH HOME=$WORK LANG=C.UTF-8 TERM=xterm-256color PS1='PROMPT\$ ' bash --norc --noprofile"
  T set-option -g window-size manual >/dev/null 2>&1
  wait_for 'PROMPT\$' 5 || fail "the shell did not start"
}
run_cadenza() {
  T send-keys "cd $WORK && $BIN compose ${MODEL[*]} --no-audio --seed 7 --temperature 1.0 --top-p 0.95 --takes-dir $WORK/takes $*; echo EXIT=\$?" Enter
}

# 1. Notes appear.
start_shell
t0=$(date +%s%N)
run_cadenza
wait_for '[█▀▄]' 10 || fail "no notes appeared"
t1=$(date +%s%N)
echo "tui: first note on screen after $(( (t1 - t0) / 1000000 )) ms (model: ${MODEL[*]})"
wait_for 'temp 1\.00  top-p 0\.95  seed 7' 2 || fail "status line does not show the settings"

# 2. `+` twice raises the temperature shown by 0.10.
T send-keys + +
wait_for 'temp 1\.10 ' 1 || fail "+ + did not show temp 1.10"
T send-keys -
wait_for 'temp 1\.05 ' 1 || fail "- did not show temp 1.05"

# Freeze the music for the next checks: space pauses playing and writing.
wait_for 'bars [3-9]|bars [1-9][0-9]' 20 || fail "fewer than 3 bars were written"
T send-keys Space
wait_for 'paused: space goes on' 2 || fail "space did not pause"
sleep 0.3
paused_bars=$(bars_now)
sleep 2
[ "$(bars_now)" -eq "$paused_bars" ] || fail "space: the model went on writing ($paused_bars -> $(bars_now) bars)"

# 3. Backspace rewinds: the last bar on the ruler goes.
before=$(last_bar_number)
T send-keys BSpace
wait_for "rewound one bar" 2 || fail "backspace showed no message"
sleep 0.3
after=$(last_bar_number)
[ "$after" -eq $((before - 1)) ] || fail "backspace: last bar $before -> $after, expected $((before - 1))"

# 4. `s` saves a file that parses and holds the bars shown.
T send-keys s
wait_for 'saved .*take-[0-9-]+\.mid' 5 || fail "s did not report a saved file"
first=$(ls "$WORK"/takes/take-*.mid | head -1)
[ -f "$first" ] || fail "no take file in $WORK/takes"
json=$(midi_json "$first") || fail "the saved take does not parse"
shown=$(last_bar_number)
python3 - "$json" "$shown" <<'PY' || fail "saved take does not hold the bars shown: $json (shown: $shown)"
import json, sys
d, shown = json.loads(sys.argv[1]), int(sys.argv[2])
assert d["notes"] > 0, "no notes"
assert shown - 1 <= d["bars"] <= shown, (d["bars"], shown)
PY

# 5. `r` on a selected bar changes it and leaves the others.
T send-keys Left Left
wait_for "take|$((shown - 1))" 1
sel=$((shown - 1))
T send-keys r
wait_for "bar $sel: take 2 of 2" 30 || fail "r: bar $sel got no second take"
sleep 1.1   # a new file name (one per second)
T send-keys s
wait_for 'saved .*take-' 5 || fail "second save"
second=$(ls "$WORK"/takes/take-*.mid | tail -1)
[ "$first" != "$second" ] || fail "the second save overwrote the first"
python3 - "$(midi_json "$first")" "$(midi_json "$second")" "$sel" <<'PY' || fail "r changed other bars or not the selected one"
import json, sys
a, b, sel = json.loads(sys.argv[1])["per_bar"], json.loads(sys.argv[2])["per_bar"], int(sys.argv[3]) - 1
for k in set(a) | set(b):
    if int(k) != sel:
        assert a.get(k) == b.get(k), f"bar {int(k) + 1} changed"
assert a.get(str(sel)) != b.get(str(sel)), f"bar {sel + 1} did not change"
PY
T send-keys End

# 5b. Choosing a take keeps the music going: the take is put in place and playback and
#     writing go on (the piece grows by 2 bars within 20 s; the status says playing).
T send-keys w   # the rewind of step 3 paused the writing
wait_for '\| writing$' 2 || fail "w did not resume the writing"
T send-keys Space
wait_for 'playing and writing' 2 || fail "space did not resume the music"
T send-keys Left Left r
wait_for "bar [0-9]+: take ([0-9]+) of \\1" 30 || fail "r during the music: no new take"
T send-keys Up
wait_for "bar [0-9]+: take ([0-9]+) of [0-9]+$" 5 || fail "up did not choose an earlier take"
grows_by 2 20 || fail "after choosing a take the piece stopped growing"
screen | tail -1 | grep -q '^ playing' || fail "after choosing a take the status does not say playing"
T send-keys Home
wait_for '^ bar 1 ' 2 || fail "Home did not show the first bar"
T send-keys End
wait_for 'following the music' 2 || fail "End did not return to following the music"

# 5c. Auto-accept off: the candidate waits, r rewrites it, enter accepts it, and the
#     music goes on after auto-accept is back on.
T send-keys a
wait_for 'auto-accept off' 2 || fail "a did not turn auto-accept off"
wait_for 'waiting: enter accepts' 40 || fail "auto-accept off: the candidate never waited"
T send-keys r
wait_for 'rewriting bar' 2 || fail "r on the candidate showed no message"
wait_for 'waiting: enter accepts' 40 || fail "the rewritten candidate never waited"
T send-keys Enter
wait_for 'bar [0-9]+ accepted' 5 || fail "enter did not accept the candidate"
T send-keys a
wait_for 'auto-accept on' 2 || fail "a did not turn auto-accept on"
grows_by 2 20 || fail "after r and enter with auto-accept off the piece stopped growing"
screen | tail -1 | grep -q '^ playing' || fail "after r and enter the status does not say playing"

# 5d. Backspace drops a bar and pauses the writing; w writes again.
T send-keys BSpace
wait_for 'writing paused' 2 || fail "backspace did not pause the writing"
paused_at=$(bars_now)
sleep 3
[ "$(bars_now)" -le "$paused_at" ] || fail "backspace: the dropped bar was written again at once"
T send-keys w
grows_by 1 20 || fail "w did not resume the writing"

# 5e. u undoes a regeneration (the bar's notes come back, in the saved file too); Ctrl-R
#     redoes it.
T send-keys Space
wait_for 'paused: space goes on' 2 || fail "space did not pause before the undo check"
undo_bar=$(( $(bars_now) - 1 ))
T send-keys g $undo_bar Enter
wait_for "\| bar $undo_bar$" 2 || fail "g $undo_bar enter did not select bar $undo_bar"
sleep 1.1
T send-keys s
wait_for 'saved .*take-' 5 || fail "save before r"
before_r=$(ls -t "$WORK"/takes/take-*.mid | head -1)
T send-keys r
wait_for "bar $undo_bar: take ([0-9]+) of \\1" 30 || fail "r before the undo check: no new take"
T send-keys u
wait_for "undid the take of bar $undo_bar" 5 || fail "u did not undo the regeneration"
sleep 1.1
T send-keys s
wait_for 'saved .*take-' 5 || fail "save after u"
after_u=$(ls -t "$WORK"/takes/take-*.mid | head -1)
[ "$before_r" != "$after_u" ] || fail "the save after u overwrote the one before r"
python3 - "$(midi_json "$before_r")" "$(midi_json "$after_u")" "$undo_bar" <<'PY' || fail "u did not bring the bar's notes back"
import json, sys
a, b, bar = json.loads(sys.argv[1])["per_bar"], json.loads(sys.argv[2])["per_bar"], str(int(sys.argv[3]) - 1)
assert a.get(bar) == b.get(bar), f"bar {int(bar) + 1}: {a.get(bar)} vs {b.get(bar)}"
PY
T send-keys C-r
wait_for "redid the take of bar $undo_bar" 5 || fail "Ctrl-R did not redo the regeneration"
T send-keys End Space
wait_for 'playing and writing' 2 || fail "space did not resume after the undo check"

# 5g. l loops the selected bar: playback stays there, so writing stops a few bars ahead
#     of it; l again lets the music go on.
loop_bar=$(( $(bars_now) - 1 ))
T send-keys g $loop_bar Enter l
wait_for "loop $loop_bar  " 3 || fail "l did not loop bar $loop_bar"
sleep 6
looped=$(bars_now)
sleep 6
[ "$(bars_now)" -eq "$looped" ] || fail "while looping bar $loop_bar the piece went on growing ($looped -> $(bars_now))"
[ "$looped" -le $(( loop_bar + 5 )) ] || fail "while looping bar $loop_bar the model wrote $looped bars"
sleep 1.1
T send-keys s
wait_for 'saved .*take-' 5 || fail "save while looping"
looped_take=$(ls -t "$WORK"/takes/take-*.mid | head -1)
python3 - "$(midi_json "$looped_take")" "$looped" <<'PY' || fail "the take saved while looping does not hold the bars shown"
import json, sys
d, shown = json.loads(sys.argv[1]), int(sys.argv[2])
assert shown <= d["bars"] <= shown + 1, (d["bars"], shown)
PY
T send-keys l End
wait_for 'following the music' 2 || fail "l and End did not end the loop"
grows_by 1 20 || fail "after the loop the music did not go on"

# 5f. > twice plays 10% faster, and the saved MIDI's tempo follows; < twice goes back.
T send-keys '>' '>'
wait_for 'tempo x1\.10' 2 || fail "> > did not show tempo x1.10"
sleep 1.1
T send-keys s
wait_for 'saved .*take-' 5 || fail "save after > >"
faster=$(ls -t "$WORK"/takes/take-*.mid | head -1)
python3 - "$(midi_json "$after_u")" "$(midi_json "$faster")" <<'PY' || fail "the saved MIDI does not follow the tempo"
import json, sys
a, b = json.loads(sys.argv[1])["tempos"], json.loads(sys.argv[2])["tempos"]
first = lambda t: t[0][1] if t and t[0][0] == 0 else 500000   # none at tick 0: 120 BPM
ratio = first(a) / first(b)
assert abs(ratio - 1.1) < 0.001, ratio
PY
T send-keys '<' '<'
wait_for 'tempo x1\.00' 2 || fail "< < did not show tempo x1.00"

# 6. `?` shows the help; any key closes it.
T send-keys '?'
wait_for 'regenerate the selected bar' 2 || fail "? did not show the help"
T send-keys Escape
wait_gone 'regenerate the selected bar' 2 || fail "the help did not close"

# 7. Resize to 60x15 and back; 20x8 shows the too-small message.
T resize-window -x 60 -y 15
wait_for 'temp 1\.05' 3 || fail "no status line at 60x15"
[ "$(screen | wc -l)" -le 15 ] || fail "pane did not shrink"
T resize-window -x 20 -y 8
wait_for 'Terminal too small' 3 || fail "20x8 shows no too-small message"
T resize-window -x 120 -y 40
wait_for 'temp 1\.05  top-p 0\.95' 3 || fail "status line not back at 120x40"
wait_for '[█▀▄]' 3 || fail "notes not back at 120x40"

# 8. `q` quits (answering the unsaved question) and the shell prompt is back.
T send-keys q
if wait_for 'Quit anyway\? \(y/n\)' 1; then T send-keys y; fi
wait_for 'EXIT=0' 5 || fail "q did not quit with status 0"
wait_for '^PROMPT\$ ?$' 2 || fail "the shell prompt is not back"
T send-keys clear Enter

# 9. Ctrl-C leaves a recovery file, announced on the way out.
run_cadenza
wait_for '[█▀▄]' 10 || fail "no notes in the second run"
T send-keys C-c
wait_for 'EXIT=130' 5 || fail "Ctrl-C did not end with status 130"
screen | grep -q 'the take is saved in .*recovered-' || fail "Ctrl-C did not announce the recovery file"
recovered=$(ls "$WORK"/takes/recovered-*.mid 2>/dev/null | head -1)
[ -n "$recovered" ] || fail "no recovery file"
midi_json "$recovered" >/dev/null || fail "the recovery file does not parse"
T send-keys clear Enter

# 10. --bars 3: the composer writes three bars, says so, and the saved piece has them.
run_cadenza --bars 3
wait_for 'bars 3 of 3  .*finished: s saves' 40 || fail "--bars 3: the piece did not finish at bar 3"
sleep 1
screen | grep -q 'bars 3 of 3' || fail "--bars 3: more than three bars were written"
T send-keys s
wait_for 'saved .*take-' 5 || fail "--bars 3: s did not save"
short=$(ls -t "$WORK"/takes/take-*.mid | head -1)
python3 - "$(midi_json "$short")" <<'PY' || fail "--bars 3: the saved take does not hold three bars"
import json, sys
d = json.loads(sys.argv[1])
assert d["notes"] > 0 and d["bars"] == 3, d["bars"]
PY
T send-keys q
wait_for 'EXIT=0' 5 || fail "--bars 3: q did not quit"
T send-keys clear Enter

# 11. Ctrl-\ (SIGQUIT) is handled like SIGTERM: terminal restored, a recovery file, no crash report.
rm -f "$WORK"/takes/recovered-*.mid
run_cadenza
wait_for '[█▀▄]' 10 || fail "no notes in the third run"
T send-keys 'C-\'
wait_for 'EXIT=131' 5 || fail "Ctrl-\\ did not end with status 131"
screen | grep -q 'quit (Ctrl-\\); the take is saved in .*recovered-' || fail "Ctrl-\\ did not announce the recovery file"
if screen | grep -Eqi 'backtrace|crash|core dumped'; then fail "Ctrl-\\ printed a crash report"; fi
recovered=$(ls "$WORK"/takes/recovered-*.mid 2>/dev/null | head -1)
[ -n "$recovered" ] || fail "no recovery file after Ctrl-\\"
midi_json "$recovered" >/dev/null || fail "the recovery file after Ctrl-\\ does not parse"
echo "tui: all scenarios passed"
