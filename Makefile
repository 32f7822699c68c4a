# SES Console: `make run` to try it, `make test` to test it.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=1

.PHONY: run test lint format migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

migrate: $(VENV)/.requirements
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input

run: migrate
	@$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "SES Console: http://127.0.0.1:8000 (demo logins above; Ctrl-C stops)"
	$(DEV_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: $(VENV)/.requirements
	$(BIN)/python -m pytest

lint: $(VENV)/.requirements
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.requirements
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/broker var/cache var/test-db*.sqlite3*
