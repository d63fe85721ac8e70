# Balai Warga: two commands on a fresh machine with only Python 3.11+.
#   make run   – install, migrate, seed demo data, start Redis (if REDIS_URL unset) and Daphne
#   make test  – install, start Redis (if REDIS_URL unset), run the whole suite
#   make bench – install, run every benchmark scenario (<= 15 min; QUICK=1: a ~3 min smoke run),
#                print one table and write it into docs/performance.md (BENCH_REDIS_URL: a Redis DB of its own)
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

.PHONY: run test lint install clean bench

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Balai Warga needs Python 3.11 or newer")'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python -m ops.launch run

test: $(STAMP)
	$(VENV)/bin/python -m ops.launch test $(PYTEST_ARGS)

bench: $(STAMP)
	$(VENV)/bin/python -m bench.suite $(if $(QUICK),--quick) $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) var staticfiles
