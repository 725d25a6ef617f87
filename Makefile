# KIM-Plattform – every target installs what is missing, then acts.
# Quick start: `make demo` (serves http://127.0.0.1:8000) and `make test`.

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV := python3.12 -m uv
VENV := .venv
KIM := $(VENV)/bin/kim
PYTEST := $(VENV)/bin/pytest
PORT ?= 8000
DEMO_SECRET := var/demo-secret-key

.PHONY: help install demo dev cluster test test-fast test-browser check bench messages clean

help:
	@echo "make demo   – set everything up and serve the demo at http://127.0.0.1:$(PORT)"
	@echo "make test   – run all tests (on PostgreSQL when available, in parallel; browser tests in Chromium)"
	@echo "make check  – lint, format, types, templates, migrations, project rules"
	@echo "make dev    – development server with auto-reload, and a background worker"
	@echo "make cluster – two app nodes (:8001, :8002), a worker, PostgreSQL and Redis (Ctrl+C stops)"
	@echo "make bench  – benchmarks on PostgreSQL when available (pages, allocation, forecast, cluster, worker)"

$(VENV)/.installed: pyproject.toml uv.lock
	@bash tools/ensure-build-deps.sh
	@python3.12 -m uv --version >/dev/null 2>&1 || python3.12 -m pip install --quiet uv
	$(UV) sync --locked
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(VENV)/.installed node_modules/.installed
	@mkdir -p var/static

$(DEMO_SECRET):
	@mkdir -p var/static
	@$(VENV)/bin/python -c "import secrets; print(secrets.token_urlsafe(64))" > $@
	@chmod 600 $@

demo: install $(DEMO_SECRET)
	KIM_ENV=demo SECRET_KEY_FILE=$(DEMO_SECRET) $(KIM) demo --port $(PORT)

# The development server reloads itself; the background worker beside it does not (restart
# `make dev` after changing a task). Both stop with Ctrl+C.
dev: install
	$(KIM) migrate
	$(KIM) seed_demo
	@$(KIM) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(KIM) runserver 127.0.0.1:$(PORT)

# Two gunicorn nodes, one worker, PostgreSQL and Redis on one machine (tools/cluster.py, D-064).
cluster: install
	$(VENV)/bin/python tools/cluster.py

check: install
	$(VENV)/bin/ruff check kim tests benchmarks tools conftest.py
	$(VENV)/bin/ruff format --check kim tests benchmarks tools conftest.py
	$(VENV)/bin/mypy kim
	$(VENV)/bin/djlint --check kim/templates kim/*/templates
	$(VENV)/bin/djlint --lint kim/templates kim/*/templates
	$(KIM) makemigrations --check --dry-run
	$(VENV)/bin/python tools/lint_access.py kim
	$(VENV)/bin/python tools/lint_layers.py kim
	$(VENV)/bin/python tools/lint_files.py kim
	bash tools/check-messages.sh

# Tests (docs/testing.md): with PostgreSQL, the `sqlite_too` tests on SQLite, the `cluster` tests
# against real processes, then everything else on PostgreSQL in parallel; without it, everything
# but the cluster tests on SQLite.
test: install
	bash tools/run-tests.sh

test-fast: install
	$(PYTEST) -q -m "not browser and not cluster"

bench: install
	$(VENV)/bin/python benchmarks/run.py

messages: install
	$(KIM) makemessages -l de --no-obsolete --add-location file -i ".venv/*" -i "node_modules/*" -i "var/*" -i "benchmarks/*" -i "tests/*"
	$(KIM) compilemessages -l de -i ".venv" -i "node_modules" -i "var"

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache
