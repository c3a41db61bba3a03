#!/usr/bin/env bash
# Regenerates the composer's key table in README.md from `cadenza compose --keys`
# (the one key table; KeyListTests checks that the README holds it).
set -euo pipefail
BIN=${1:-.build/debug/cadenza}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$BIN" compose --keys > "$ROOT/.keys.md.tmp"
python3 - "$ROOT/README.md" "$ROOT/.keys.md.tmp" <<'PY'
import sys
readme, keys = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
start = text.index('| key | what it does |')
end = text.index('\n\n', start)
open(readme, 'w').write(text[:start] + keys.rstrip('\n') + text[end:])
PY
rm -f "$ROOT/.keys.md.tmp"
