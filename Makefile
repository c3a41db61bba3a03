# Cadenza: `make run` and `make test` do all the set-up on a fresh Debian/Ubuntu machine.
SWIFT ?= swift
BIN := .build/release/cadenza
# Debian package for each pkg-config name we need.
PKGS := ncursesw:libncursesw5-dev alsa:libasound2-dev openblas:libopenblas-dev

.PHONY: deps build run test test-alsa test-torch bench fuzz clean check-torch

deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"; \
	for pair in $(PKGS); do \
	  pc=$${pair%%:*}; deb=$${pair#*:}; \
	  pkg-config --exists $$pc 2>/dev/null || missing="$$missing $$deb"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	    echo "Installing:$$missing"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing system libraries:$$missing"; \
	    echo "On macOS: brew install ncurses pkg-config (ALSA playback is Linux-only; BLAS comes from Accelerate)."; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c release

run: build
	$(BIN)

test: deps
	bash scripts/test-setup.sh
	$(SWIFT) build -c release
	$(SWIFT) test --parallel
	bash scripts/test-cli.sh $(BIN)

bench: build
	bash scripts/bench.sh

check-torch: build
	bash scripts/check-torch.sh $(BIN)

# Opt-in: the PyTorch DDP trainer (train/torch) against the binary; installs CPU torch in a venv.
test-torch: build
	bash scripts/test-torch.sh $(BIN)

test-alsa: build
	bash scripts/test-alsa.sh $(BIN)

fuzz: deps
	bash scripts/fuzz.sh

clean:
	rm -rf .build
