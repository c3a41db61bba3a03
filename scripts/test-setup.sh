#!/usr/bin/env bash
# Tools the tests use besides the system libraries: tmux (TUI scenarios), sox (audio
# checks), a small General MIDI SoundFont (SoundFont renders), and a Python virtual environment with mido and pretty_midi (MIDI interop).
# Each is optional for the tests (they skip and say so), but CI installs them all.
set -uo pipefail
cd "$(dirname "$0")/.."
need=""
command -v tmux >/dev/null 2>&1 || need="$need tmux"
command -v sox >/dev/null 2>&1 || need="$need sox"
[ -f /usr/share/sounds/sf2/TimGM6mb.sf2 ] || need="$need timgm6mb-soundfont"
if [ -n "$need" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need || echo "test-setup: could not install$need; those tests will skip"
fi
if command -v python3 >/dev/null 2>&1; then
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || echo "test-setup: no python venv; interop tests will skip"
  fi
  if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import mido, pretty_midi" 2>/dev/null; then
    .venv/bin/pip install -q mido pretty_midi || echo "test-setup: pip install failed; interop tests will skip"
  fi
fi
exit 0
