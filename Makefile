# The two commands: `make run` (demo on SQLite, no Redis needed) and `make test` (the whole suite).
# `make lint`: ruff, ruff format --check and the import-linter contract (.importlinter); CI runs it too.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo: DEBUG on, and 2FA off so a newcomer logs in with a password only (production refuses both).
DEMO_ENV := DEBUG=1 TWO_FACTOR_REQUIRED=0

.PHONY: run test lint benchmark clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py demo_data --if-empty
	$(DEMO_ENV) $(PY) manage.py evaluate_flags
	@echo "jeugdregie draait op http://$(HOST):$(PORT)/ (stoppen met Ctrl+C)"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
