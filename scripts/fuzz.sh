#!/usr/bin/env bash
# `make fuzz`: libFuzzer, with the address sanitizer, over every parser of untrusted files:
# the MIDI reader, the safetensors reader (and the checkpoint loader on top of it), the
# SoundFont parser (and its player), the theme parser and the token cache reader. Each Fuzz/<Name>Fuzzer.swift is compiled with the
# sources it needs as one module (their imports of each other dropped, so no package build
# with the sanitizer is needed), seeded from the committed fixtures, and run for
# FUZZ_SECONDS (default 600) each; FUZZERS picks some ("midi theme"). Crashes, hangs and
# out-of-memory inputs land in .build-fuzz/NAME/.
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${FUZZ_SECONDS:-600}
FUZZERS=${FUZZERS:-midi safetensors soundfont theme tokencache}
ROOT=.build-fuzz
LOCAL_MODULES="UntrustedText FileSafety MIDI ArgumentParsing"

sources() {
  case $1 in
    midi) echo Sources/UntrustedText/*.swift Sources/FileSafety/*.swift Sources/MIDI/*.swift ;;
    safetensors) echo Sources/UntrustedText/*.swift Sources/FileSafety/*.swift \
      Sources/NN/SafeTensors.swift Sources/NN/SafeTensorsReader.swift Sources/NN/SafeTensorsWriter.swift Sources/NN/HalfPrecision.swift Sources/NN/JSONDuplicateKeys.swift \
      Sources/NN/Checkpoint.swift Sources/NN/CheckpointError.swift Sources/NN/CheckpointMetadata.swift Sources/NN/LSTMModel.swift \
      Sources/NN/LSTMConfiguration.swift Sources/NN/ParameterLayout.swift Sources/NN/RandomGenerator.swift ;;
    soundfont) echo Sources/UntrustedText/*.swift Sources/FileSafety/*.swift Sources/Synthesis/SoundFont.swift \
      Sources/Synthesis/SoundFontParser.swift Sources/Synthesis/SoundFontRegion.swift Sources/Synthesis/SynthesisError.swift \
      Sources/Synthesis/SoundFontInstrument.swift Sources/Synthesis/SoundFontEnvelope.swift Sources/Synthesis/SoundSource.swift ;;
    theme) echo Sources/ArgumentParsing/*.swift Sources/TUI/ThemeParser.swift Sources/TUI/Theme.swift Sources/TUI/CellGrid.swift Sources/TUI/ComposerError.swift ;;
    tokencache) echo Sources/Training/TokenCacheFormat.swift ;;
  esac
}
entry() {
  case $1 in midi) echo Fuzz/MIDIReaderFuzzer.swift ;; safetensors) echo Fuzz/SafeTensorsFuzzer.swift ;;
    soundfont) echo Fuzz/SoundFontFuzzer.swift ;; theme) echo Fuzz/ThemeFuzzer.swift ;;
    tokencache) echo Fuzz/TokenCacheFuzzer.swift ;; esac
}
seeds() {
  case $1 in midi) cp Tests/Fixtures/*.mid "$2/" ;; safetensors) cp Tests/Fixtures/checkpoints/*.safetensors "$2/" ;;
    soundfont) cp Tests/Fixtures/hostile/*.sf2 Tests/Fixtures/soundfonts/*.sf2 "$2/" ;; theme) cp themes/*.theme "$2/" 2>/dev/null || echo "bg = 0" >"$2/seed.theme" ;;
    tokencache) token_cache_seeds "$2" ;; esac
}

# Token caches in the TokenCacheFormat layout (two files, one a cached failure; no files).
token_cache_seeds() {
  python3 - "$1" <<'PY'
import json, struct, sys
def cache(files, tokens):
    index = json.dumps({"vocabulary_hash": "0123456789abcdef", "files": files}).encode()
    return b"CADENZA-TOKENS-1" + struct.pack("<Q", len(index)) + index + b"".join(struct.pack("<H", t) for t in tokens)
tokens = [0, 3, 40, 120, 200, 17, 399, 1]
two = [{"path": "Bach/a.mid", "hash": "9e3779b97f4a7c15", "count": len(tokens)},
       {"path": "b.mid", "hash": "1", "count": 0, "failure": "not a MIDI file"}]
open(sys.argv[1] + "/two.cache", "wb").write(cache(two, tokens))
open(sys.argv[1] + "/empty.cache", "wb").write(cache([], []))
PY
}

failed=""
for name in $FUZZERS; do
  OUT=$ROOT/$name
  rm -rf "$OUT/src"; mkdir -p "$OUT/src" "$OUT/corpus"
  seeds "$name" "$OUT/corpus"
  for f in $(sources "$name"); do
    sed_args=()
    for m in $LOCAL_MODULES; do sed_args+=(-e "/^import $m\$/d"); done
    sed "${sed_args[@]}" "$f" >"$OUT/src/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  echo "fuzz: building $OUT/fuzzer"
  # (ld.gold warns about every ASan helper symbol; keep that noise in a log.)
  if ! swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$name" \
    "$(entry "$name")" "$OUT"/src/*.swift -o "$OUT/fuzzer" >"$OUT/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$OUT/build.log" >&2
    exit 1
  fi
  echo "fuzz: $name for $SECONDS_TO_RUN s"
  (cd "$OUT" && ./fuzzer -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 corpus 2>&1 | tee fuzz.log | grep -E "INITED|DONE|ERROR|crash|stat::number_of_executed_units|cov:" | tail -3) || true
  if ls "$OUT"/crash-* "$OUT"/timeout-* "$OUT"/oom-* >/dev/null 2>&1; then
    failed="$failed $name"
    echo "fuzz: $name FAILED, inputs saved in $OUT: $(cd "$OUT" && ls crash-* timeout-* oom-* 2>/dev/null | tr '\n' ' ')"
  fi
done
[ -z "$failed" ] || { echo "fuzz: failures in$failed"; exit 1; }
echo "fuzz: no crash, hang or out-of-memory in $SECONDS_TO_RUN s each ($FUZZERS; logs in $ROOT/*/fuzz.log)"
