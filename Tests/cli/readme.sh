#!/usr/bin/env bash
# Every `cadenza` example in the README's ```sh blocks, run as written (the lines are read
# from README.md, so a changed or added example is tested), in a folder holding the files
# they name: song.mid, corpus/, aria-midi/, ../shared/corpus/scores (a few fixtures, not the real
# corpus), held-out/, my-pieces/, real-pieces/, the bundled checkpoint. An example passes
# when it exits 0, or is still working after the time limit (training, the settings table);
# a usage error or a failure fails the test. The composer's examples run on a pseudo-
# terminal (script) and are quit with q, y.
set -uo pipefail
BIN=$(realpath "$1")
REPO=$(cd "$(dirname "$0")/../.." && pwd)
FIX="$REPO/Tests/Fixtures"
LIMIT=${README_EXAMPLE_SECONDS:-25}  # the resume example needs the first training example to have saved an epoch
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0

# The files the examples name.
mkdir -p "$T/bin" "$T/work/checkpoints" "$T/shared/corpus/scores"
ln -s "$BIN" "$T/bin/cadenza"
ln -s "$REPO/checkpoints/cadenza-piano.safetensors" "$T/work/checkpoints/cadenza-piano.safetensors"
cd "$T/work"
cp "$FIX/chpn-p7.mid" song.mid; cp "$FIX/clementi_opus36_3_2.mid" other.mid; cp "$FIX/bor_ps5.mid" start.mid
for dir in corpus "../shared/corpus/scores" aria-midi; do
  mkdir -p "$dir/chopin" "$dir/schumann" "$dir/others"
  cp "$FIX/chpn-p7.mid" "$dir/chopin/"
  cp "$FIX/scn15_13.mid" "$FIX/asap_kreisleriana_6_ParkJH09.mid" "$dir/schumann/"
  cp "$FIX/bor_ps5.mid" "$FIX/clementi_opus36_3_2.mid" "$FIX/debussy_cc_5.mid" "$FIX/mendel_op19_6.mid" \
     "$FIX/asap_prelude_bwv_866_SOLOM02.mid" "$dir/others/"
done
mkdir -p held-out my-pieces real-pieces
cp "$FIX/mendel_op19_6.mid" "$FIX/debussy_cc_5.mid" held-out/
cp "$FIX/bor_ps5.mid" "$FIX/scn15_13.mid" my-pieces/
cp "$FIX/mendel_op19_6.mid" "$FIX/debussy_cc_5.mid" real-pieces/
export PATH="$T/bin:$PATH"
unset CADENZA_CHECKPOINT

subcommands=" $("$BIN" --help | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}' | tr '\n' ' ') "
examples=$(awk '/^```sh/{f=1;next} /^```/{f=0} f' "$REPO/README.md" | grep '^cadenza')
[ -n "$examples" ] || { echo "readme: no examples found"; exit 1; }
count=0
while IFS= read -r line; do
  count=$((count + 1))
  command=${line%%#*}
  for path in $(grep -o '/usr/share/[^ ]*' <<<"$command"); do
    [ -e "$path" ] || { echo "readme: skipped (needs $path): $command"; continue 2; }
  done
  second=$(awk '{print $2}' <<<"$command")
  if [[ -n "$second" && "$subcommands" == *" $second "* ]]; then
    timeout "$LIMIT" bash -c "$command" </dev/null >"$T/out" 2>&1; status=$?
  else  # the composer: on a terminal, quit after two seconds
    (sleep 2; printf q; sleep 0.5; printf y; sleep 2) | TERM=xterm-256color timeout "$LIMIT" script -qec "$command" /dev/null >"$T/out" 2>&1
    status=$?
  fi
  case $status in
    0) ;;
    124) echo "readme: still running after ${LIMIT} s (counts as started): $command" ;;
    *) echo "readme: FAILED with status $status: $command"; tail -5 "$T/out" | sed 's/^/    /'; fail=1 ;;
  esac
done <<<"$examples"
echo "readme: $count examples"
exit $fail
