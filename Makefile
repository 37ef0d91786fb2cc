# keyprojects: `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test install assets migrate demo lint format typecheck bench worker clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

assets: node_modules/.installed

migrate: install assets
	$(MANAGE) migrate --no-input

demo: migrate
	$(MANAGE) demo

run: demo
	@echo
	@echo "keyprojects is serving on http://$(HOST):$(PORT)/ (the background worker and the nightly checks run beside it)"
	@$(MANAGE) db_worker --no-startup-delay >/dev/null 2>&1 & worker=$$!; \
	$(MANAGE) nightly --loop >/dev/null 2>&1 & nightly=$$!; \
	trap 'kill $$worker $$nightly 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: install assets
	$(PY) -m pytest $(PYTEST_ARGS)

worker: migrate
	$(MANAGE) db_worker

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy keyprojects

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install assets
	$(PY) -m pip install --quiet -r bench/requirements.txt -r bench/requirements-cpm.txt
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
