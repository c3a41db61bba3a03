#!/usr/bin/env bash
# `make bench`: runs every benchmark script in bench/ (each prints its own table of
# ratios against a reference measured in the same run).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for b in bench/*.sh; do
  [ -e "$b" ] || continue
  echo "== $b"
  bash "$b" .build/release/cadenza || status=1
done
exit $status
