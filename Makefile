# Two commands on a fresh machine with only Python >= 3.11, make and git:
#   make run   — virtualenv, dependencies from the lock file, embedded PostgreSQL, migrations, demo data, server
#   make test  — the whole test suite on PostgreSQL (embedded unless DATABASE_URL is set)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed

.PHONY: run test lint format worker beat bench lock migrate demo clean check-python

$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	@touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the Biobank Portal at http://$(HOST):$(PORT)/  (Ctrl-C stops it and the embedded PostgreSQL)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(STAMP)
	@test -n "$$CELERY_BROKER_URL" || (echo "make worker needs CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without it tasks run in-process" >&2; exit 2)
	$(BIN)/celery -A biobank worker --beat --loglevel=INFO --scheduler celery.beat:PersistentScheduler --schedule var/celerybeat-schedule

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Regenerate the lock file after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
