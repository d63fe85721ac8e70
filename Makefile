# Balai Warga: two commands on a fresh machine with only Python 3.11+.
#   make run   – install, migrate, seed demo data, start Redis (if REDIS_URL unset) and Daphne
#                (make run WORKERS=2: two app processes behind nginx on one port)
#   make test  – install, start Redis (if REDIS_URL unset), run the whole suite
#   make audit – list the pinned packages that have a newer release
#   make bench – install, run every benchmark scenario (<= 15 min; QUICK=1: a ~5 min smoke run),
#                print one table and write it into docs/performance.md (BENCH_REDIS_URL: a Redis DB of its own)
PYTHON ?= python3
VENV   := .venv
WORKERS ?= 1

.PHONY: run test lint install install-prod lock lock-check clean audit bench

# --- dependencies ------------------------------------------------------------
# pyproject.toml declares them ([project] dependencies: runtime; the dev group:
# tests and tools); `make lock` (ops/lock.py, uv) pins them with hashes into
# requirements.lock (runtime) and requirements-dev.lock (runtime + dev).
# Installs check every hash. The stamp names the lock's checksum, so a changed
# lock installs again on the next make run/test.
DEV_STAMP  := $(VENV)/.installed-dev-$(shell cksum < requirements-dev.lock | cut -d' ' -f1)
PROD_STAMP := $(VENV)/.installed-prod-$(shell cksum < requirements.lock | cut -d' ' -f1)
PIP_INSTALL = $(VENV)/bin/python -m pip install -q --disable-pip-version-check --require-hashes

define make_venv
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Balai Warga needs Python 3.11 or newer")'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
endef

$(DEV_STAMP): requirements-dev.lock
	$(make_venv)
	$(PIP_INSTALL) -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

$(PROD_STAMP): requirements.lock
	$(make_venv)
	$(PIP_INSTALL) -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

# runtime + tests and tools (a developer's machine, CI)
install: $(DEV_STAMP)

# runtime only, no test tools: into a fresh virtualenv, e.g.
#   make install-prod VENV=/srv/balai/venv
install-prod: $(PROD_STAMP)

# regenerate both lock files from pyproject.toml, keeping the current pins;
# LOCK_ARGS="--upgrade-package django" (or --upgrade) moves versions
lock: $(DEV_STAMP)
	$(VENV)/bin/python -m ops.lock write $(LOCK_ARGS)

# the lock files match pyproject.toml (CI)
lock-check: $(DEV_STAMP)
	$(VENV)/bin/python -m ops.lock check

# --- running -----------------------------------------------------------------
run: $(DEV_STAMP)
	WORKERS=$(WORKERS) $(VENV)/bin/python -m ops.launch run

test: $(DEV_STAMP)
	$(VENV)/bin/python -m ops.launch test $(PYTEST_ARGS)

bench: $(DEV_STAMP)
	$(VENV)/bin/python -m bench.suite $(if $(QUICK),--quick) $(BENCH_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Pinned packages with a newer release on the package index (docs/operations.md).
audit: $(DEV_STAMP)
	$(VENV)/bin/python -m ops.audit --lock requirements-dev.lock

clean:
	rm -rf $(VENV) var staticfiles
