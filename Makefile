# Samverkan — `make run` starts the platform with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings.dev
export PYTHONDONTWRITEBYTECODE := 1
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/samverkan

.PHONY: setup run test lint test-postgres check-install assets messages clean worker

## setup: everything the platform needs, installed by the project's own files (idempotent).
setup: $(VENV)/.installed static/vendor/.built locale/.compiled var/.system-deps

var/.system-deps: scripts/system-deps.sh
	@mkdir -p var
	bash scripts/system-deps.sh
	@touch $@

$(VENV)/.installed: requirements/dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.built: node_modules/.installed scripts/build_assets.sh $(wildcard static/scss/*.scss) static/js/vega-interpreter-entry.js
	bash scripts/build_assets.sh
	@touch $@

assets: static/vendor/.built

locale/.compiled: $(VENV)/.installed var/.system-deps $(wildcard locale/*/LC_MESSAGES/django.po)
	@mkdir -p locale
	$(PY) manage.py compilemessages -v 0 --ignore ".venv/*" --ignore ".venv-bench/*" --ignore "node_modules/*" --ignore "var/*" --ignore "build/*"
	@touch $@

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale sv --locale en --locale ar --no-obsolete \
	  --ignore ".venv/*" --ignore ".venv-bench/*" --ignore "node_modules/*" --ignore "var/*" --ignore "static/vendor/*" \
	  --ignore "build/*"

## run: migrate SQLite under var/, load demo data, serve on :8000 with a task worker.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Samverkan: http://$(HOST):$(PORT)/  (demo logins are printed above)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker & \
	  $(PY) manage.py run_scheduler & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: setup
	$(PY) manage.py db_worker

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy src config
	$(VENV)/bin/lint-imports

## test: lint, types, layer rules and the whole pytest suite (SQLite).
test: setup lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -q

## test-postgres: the suite again against PostgreSQL (CI does this after `make test`).
test-postgres: setup
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q

## check-install: `pip install .` into a bare virtualenv gives working console scripts (CI).
check-install:
	PYTHON=$(PYTHON) bash scripts/check_install.sh

clean:
	rm -rf $(VENV) node_modules static/vendor var locale/.compiled
