# Two commands a newcomer needs: `make run` (demo on SQLite at http://127.0.0.1:5000; `make run PORT=8080` for another port) and `make test-all` (the whole suite).
# `make serve` serves the registry as production does: gunicorn with gunicorn.conf.py (README, Deployment).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi:app

.PHONY: run serve test test-all test-slow setup translations demo-db clean bench axe

$(BIN)/flask: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(BIN)/flask

setup: $(BIN)/flask translations

# axe-core, the accessibility engine the browser journeys inject into every page they check, from the npm registry
# (where npm is missing, the journeys are skipped and say so, as they are without Chromium)
AXE_VERSION := 4.10.2
AXE := build/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	if command -v npm >/dev/null; then npm install --prefix build/axe --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION); fi

translations: $(BIN)/flask
	$(BIN)/python -m registry.translations_build

demo-db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask registry demo
	$(BIN)/flask registry publish

run: demo-db
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The schema brought up to date, then gunicorn on GUNICORN_BIND (127.0.0.1:8000 by default), behind the proxy.
serve: setup
	$(BIN)/flask db upgrade
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The everyday run: everything but the suites marked slow, one process per core (pytest-xdist; at most four), about
# 3 minutes on 2 cores. PYTEST_ARGS="-n 0" runs it in one process.
test: setup
	$(BIN)/python -m pytest -m "not slow" -n auto --maxprocesses=4 $(PYTEST_ARGS)

# The whole suite, as .ci/run runs it: the everyday tests and the slow ones, one process per core like `make test`
# PYTEST_ARGS="-n 0" runs it in one process.
test-all: setup axe
	$(BIN)/python -m pytest -n auto --maxprocesses=4 $(PYTEST_ARGS)

# Only the slow suites: fuzzing, kill-and-recover, privacy crawls, browser journeys. The fuzzing draws the same inputs
# every run unless REGISTRY_FUZZ_SEED=N is set (.ci/run prints the seed it chose: set it here to replay that run).
test-slow: setup axe
	$(BIN)/python -m pytest -m slow -n auto --maxprocesses=4 $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py --scale $(or $(SCALE),small) --db $(or $(DB),sqlite) --runs $(or $(RUNS),3)

clean:
	rm -rf $(VENV) instance .pytest_cache
