#!/usr/bin/env bash
# `make fuzz`: libFuzzer over the MIDI reader (Fuzz/MIDIReaderFuzzer.swift compiled with
# Sources/MIDI and the modules it imports, with the address sanitizer), seeded with Tests/Fixtures. Runs for
# FUZZ_SECONDS (default 600); crashes land in .build-fuzz/ as crash-* files.
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${FUZZ_SECONDS:-600}
OUT=.build-fuzz
mkdir -p "$OUT/corpus"
cp Tests/Fixtures/*.mid "$OUT/corpus/"
echo "fuzz: building $OUT/midi-fuzzer"
# The reader and the small modules it imports, compiled as one module (their imports of
# each other dropped), so no package build with the sanitizer is needed.
rm -rf "$OUT/src"; mkdir -p "$OUT/src"
for f in Sources/UntrustedText/*.swift Sources/FileSafety/*.swift Sources/MIDI/*.swift; do
  sed -e '/^import UntrustedText$/d' -e '/^import FileSafety$/d' "$f" >"$OUT/src/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# (ld.gold warns about every ASan helper symbol; keep that noise in a log.)
if ! swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name MIDIFuzz \
  Fuzz/MIDIReaderFuzzer.swift "$OUT"/src/*.swift -o "$OUT/midi-fuzzer" >"$OUT/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$OUT/build.log" >&2
  exit 1
fi
echo "fuzz: running for $SECONDS_TO_RUN s"
cd "$OUT"
./midi-fuzzer -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus 2>&1 | tee fuzz.log | grep -E "INITED|DONE|ERROR|crash|stat::" || true
if ls crash-* timeout-* oom-* >/dev/null 2>&1; then
  echo "fuzz: FAILED, inputs saved in $OUT: $(ls crash-* timeout-* oom-* 2>/dev/null | tr '\n' ' ')"
  exit 1
fi
echo "fuzz: no crash, hang or out-of-memory in $SECONDS_TO_RUN s (log: $OUT/fuzz.log)"
