#!/usr/bin/env bash
# OpenBLAS's kernel, chosen by measurement: on a CPU that runs more than one of the kernels
# Cadenza tries (Haswell: AVX2+FMA; SkylakeX: AVX-512), the first run measures each in a
# child process and caches the fastest in $XDG_CACHE_HOME/cadenza/blas-kernel; later runs
# read it. A hostile or stale cache file is measured over, never trusted or hung on, and the
# user's OPENBLAS_CORETYPE wins over both.
set -euo pipefail
BIN=${1:?usage: blas-kernel.sh path/to/cadenza}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export XDG_CACHE_HOME=$DIR/cache
CACHE=$XDG_CACHE_HOME/cadenza/blas-kernel

fail() { echo "blas-kernel: $*" >&2; exit 1; }
# The BLAS description of one tiny `cadenza bench` run.
blas() {
  timeout 120 "$BIN" bench --vocab 20 --embedding 8 --hidden 8 --layers 1 --batch-size 2 --seq-len 4 \
    --threads 1 --steps 1 --sample-tokens 2 --json | sed -n 's/.*"blas" *: *"\([^"]*\)".*/\1/p' | sed 's|\\/|/|g'
}

flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { for f in "$@"; do [[ " $flags " == *" $f "* ]] || return 1; done; }
if ! { has avx2 fma && has avx512f avx512bw avx512dq avx512vl avx512cd; }; then
  # One kernel or none to choose between: OpenBLAS's own pick, nothing measured or cached.
  d=$(blas)
  [[ $d == *"OpenBLAS's own choice"* ]] || fail "expected OpenBLAS's own choice: $d"
  [ ! -e "$CACHE" ] || fail "cached a choice with nothing to choose between"
  echo "blas-kernel: ok (one candidate kernel on this CPU)"
  exit 0
fi

kernel_of() { sed -n 's/.*(\([A-Za-z0-9]*\) kernel,.*/\1/p' <<<"$1"; }

# First run measures both and caches the winner, with the CPU and the OpenBLAS build.
d=$(blas)
[[ $d =~ "measured fastest on this CPU: Haswell "[0-9]+", SkylakeX "[0-9]+" GFLOP" ]] || fail "no measurement: $d"
winner=$(kernel_of "$d")
[ -f "$CACHE" ] && [ "$(wc -l <"$CACHE")" = 1 ] || fail "no one-line cache at $CACHE"
IFS=$'\t' read -r magic cpu cached config <"$CACHE"
[ "$magic" = "cadenza-blas-kernel 1" ] && [ "$cached" = "$winner" ] && [[ $config == OpenBLAS* ]] \
  || fail "cache line wrong: $(cat "$CACHE")"

# Second run reads it.
d=$(blas)
[[ $d == *"$winner kernel, measured fastest on this CPU, cached in $CACHE"* ]] || fail "cache not read: $d"

# A cache naming the other kernel (same CPU, same OpenBLAS build) is followed: it is the choice.
other=Haswell; [ "$winner" = Haswell ] && other=SkylakeX
printf '%s\t%s\t%s\t%s\n' "$magic" "$cpu" "$other" "${config/$winner/$other}" >"$CACHE"
d=$(blas)
[[ $d == *"($other kernel, measured fastest on this CPU, cached in"* ]] || fail "valid cache not followed: $d"
[ -f "$CACHE" ] || fail "a valid cache was deleted"

# A choice made with another OpenBLAS build is used once, then forgotten.
printf '%s\t%s\t%s\t%s\n' "$magic" "$cpu" "$winner" "OpenBLAS 0.0.1 elsewhere" >"$CACHE"
blas >/dev/null
[ ! -e "$CACHE" ] || fail "a stale cache (another OpenBLAS build) was kept"

# Hostile files at the cache's path: measured over (and replaced), never followed or hung on.
measured_again() {
  local d; d=$(blas)
  [[ $d == *"measured fastest on this CPU: Haswell"* ]] || fail "$1: not measured again: $d"
  [ -f "$CACHE" ] && [ ! -L "$CACHE" ] && [ "$(wc -l <"$CACHE")" = 1 ] || fail "$1: cache not rewritten"
}
printf 'garbage\x00\xff\n' >"$CACHE"; measured_again "garbage"
printf '%s\t%s\t%s\t%s\n' "$magic" "$cpu" "Prescott" "$config" >"$CACHE"; measured_again "an unknown kernel"
printf '%s\t%s\t%s\t%s\n' "$magic" "another CPU" "$winner" "$config" >"$CACHE"; measured_again "another CPU"
printf '%s\t%s\t%s\t%s' "$magic" "$cpu" "$winner" "$config" >"$CACHE"; measured_again "no newline"
head -c 5000000 /dev/zero | tr '\0' 'x' >"$CACHE"; measured_again "a 5 MB file"
cp "$CACHE" "$DIR/real"; rm "$CACHE"; ln -s "$DIR/real" "$CACHE"; measured_again "a symlink"
rm "$CACHE"; mkfifo "$CACHE"; measured_again "a FIFO"
rm "$CACHE"; mkdir "$CACHE"; d=$(blas)
[[ $d == *"measured fastest on this CPU: Haswell"* ]] || fail "a folder at the cache path: $d"
rmdir "$CACHE"

# The user's variable wins, and the cache is left alone.
blas >/dev/null
before=$(cat "$CACHE")
d=$(OPENBLAS_CORETYPE=Haswell blas)
[[ $d == *"(Haswell kernel, from OPENBLAS_CORETYPE)"* ]] || fail "OPENBLAS_CORETYPE not followed: $d"
[ "$(cat "$CACHE")" = "$before" ] || fail "OPENBLAS_CORETYPE changed the cache"

# The child's variable in a user's environment does not turn a command into a measurement.
d=$(CADENZA_INTERNAL_BLAS_PROBE=1 blas)
[[ $d == *"cached in $CACHE"* ]] || fail "the probe variable hijacked a command: $d"

# No place for a cache: measured every time, and it still runs.
d=$(XDG_CACHE_HOME=/proc/cadenza-cannot-write blas)
[[ $d == *"measured fastest on this CPU: Haswell"* ]] || fail "unwritable cache folder: $d"
d=$(env -u HOME -u XDG_CACHE_HOME "$BIN" bench --vocab 20 --embedding 8 --hidden 8 --layers 1 --batch-size 2 \
    --seq-len 4 --threads 1 --steps 1 --sample-tokens 2 --json) || fail "no HOME: bench failed"

# Four processes starting together on an empty cache: one measures, the others wait and read.
rm -f "$CACHE"
for i in 1 2 3 4; do blas >"$DIR/parallel-$i" & done
wait
measured=$(grep -l "measured fastest on this CPU: Haswell" "$DIR"/parallel-* | wc -l)
read_back=$(grep -l "cached in $CACHE" "$DIR"/parallel-* | wc -l)
[ "$measured" = 1 ] && [ "$read_back" = 3 ] || fail "parallel starts: $measured measured, $read_back read the cache"
echo "blas-kernel: ok ($winner measured fastest)"
