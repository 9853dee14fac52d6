# NMGuard — the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
PORT  ?= 8000

.PHONY: install system-deps demo test bench drills lint clean

install: $(VENV)/.installed  ## Python environment in .venv from uv.lock, bytecode compiled (installs uv with pip if missing)

$(VENV)/.installed: pyproject.toml uv.lock scripts/install.sh
	scripts/install.sh
	@touch $@

system-deps:  ## Debian packages the tests need: chromium, postgresql
	scripts/system-deps.sh

demo: install  ## start the demo department on SQLite and print the URL and logins
	$(BIN)/nmguard demo --port $(PORT)

test: install system-deps  ## the whole suite on SQLite and on a temporary PostgreSQL server
	scripts/run-tests.sh

bench: install  ## benchmarks: each against its baseline, interleaved; min/median, ratio, rounds, load (docs/benchmarks.md)
	@for b in bench/[!_]*.py; do echo "== $$b ($$(date -u +%FT%TZ))"; $(BIN)/python $$b || exit 1; done

drills: install system-deps  ## reliability drills on PostgreSQL: 50 users, kill -9, restarts, full disk (DRILL_SECONDS=300)
	$(BIN)/python -m tools.drills.drill --out out/drills

lint: install
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .venv-pylinac .pytest_cache
