# Two commands on a fresh machine with only Python >= 3.11, make and git:
#   make run   — virtualenv, dependencies from the lock file, embedded PostgreSQL, migrations, demo data, server
#   make test  — the whole test suite on PostgreSQL (embedded unless DATABASE_URL is set)
# Also: make worker (Celery worker + beat, needs CELERY_BROKER_URL), make lint, make bench SCALE=small|10k|100k|1m,
#       make lock, make messages, make screenshots (the README's screenshot tour into docs/screenshots/).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SCALE ?= small
HOST ?= 127.0.0.1
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint format worker bench lock messages migrate demo clean screenshots

$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement $(LOCK)
	@touch $(STAMP)

migrate: $(STAMP)
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo

# The demo logins are printed last, right before the server starts. Ctrl-C stops the server and, as the last
# process using it exits, the embedded PostgreSQL (biobank/embedded_db/). A second `make run` just starts again.
run: migrate
	$(MANAGE) collectstatic --noinput --verbosity 0
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(MANAGE) seed_demo
	@echo "Serving the Biobank Portal at http://$(HOST):$(PORT)/  (Ctrl-C stops it and the embedded PostgreSQL)"
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(MANAGE) runserver $(HOST):$(PORT)

# pytest exits 5 when it collected no test: that fails here like any other failure, and says so.
test: $(STAMP)
	@$(BIN)/python -m pytest $(PYTEST_ARGS) || { status=$$?; \
		if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5); that is a failure" >&2; fi; \
		exit $$status; }

# lint-imports: the layering contract in pyproject.toml (access_requests > specimens > consent > catalog > biobank).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(MANAGE) makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# One process with an embedded beat, consuming every queue, is right for a developer; production runs beat as its own
# single service and a worker group per queue (docs/deployment.md, "Scaling out").
worker: $(STAMP)
	@test -n "$$CELERY_BROKER_URL" || { echo "make worker needs CELERY_BROKER_URL (e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make worker); without a broker every task already runs in-process." >&2; exit 2; }
	@mkdir -p var
	$(BIN)/celery -A biobank worker --beat -Q celery,imports,audit,catalog --loglevel=INFO --schedule var/celerybeat-schedule

bench: $(STAMP)
	$(BIN)/python -m benchmarks --scale $(SCALE) $(BENCH_ARGS)

# Regenerate the lock file after changing dependencies in pyproject.toml (no machine-specific index lines).
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) pyproject.toml

# The German catalogue: collect the texts into locale/de/LC_MESSAGES/django.po (translations kept), then compile the
# .mo next to it. Needs GNU gettext (xgettext, msgmerge, msgfmt); commit both files: a fresh machine has only Python.
messages: $(STAMP)
	$(MANAGE) makemessages -l de --no-wrap --ignore=.venv --ignore=var --ignore=benchmarks --ignore=tests
	msgfmt --check -o locale/de/LC_MESSAGES/django.mo locale/de/LC_MESSAGES/django.po

# The README's screenshot tour (tests/e2e/tour.py): a fresh demo database of its own under var/tour (the embedded
# PostgreSQL; with DATABASE_URL set, that database: give it an empty one), migrated and seeded as `make run` does,
# a server on TOUR_PORT (0: a free port), each role's main flow in Debian's chromium into
# docs/screenshots/<nn>-<role>-<step>.png.
TOUR_PORT ?= 0
TOUR_ENV := BIOBANK_VAR_DIR=$(CURDIR)/var/tour
screenshots: $(STAMP)
	rm -rf var/tour
	$(TOUR_ENV) $(MANAGE) migrate --noinput --verbosity 0
	$(TOUR_ENV) $(MANAGE) seed_demo > /dev/null
	$(TOUR_ENV) $(BIN)/python -m tests.e2e.tour --start-server $(TOUR_PORT) --out docs/screenshots

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache .import_linter_cache
