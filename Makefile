# Two commands matter: `make run` and `make test`. Everything they need is set up on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench bench-page-weight bench-load bench-import bench-accounts bench-read bench-official-tree install check-migrations messages clean-db

run: install  ## set up everything, load the demo data and serve http://127.0.0.1:8000
	$(BIN)/python manage.py serve

test: install  ## the whole test suite (browser tests skip without Chromium, except in CI)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install  ## ruff lint and format check, and the import layers (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check-migrations: install  ## fail when models and migrations disagree
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install  ## benchmarks at national scale (see bench/README.md)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-load: install  ## load test over HTTP: 50 users through two gunicorn instances (see bench/README.md)
	$(BIN)/python bench/load.py $(BENCH_ARGS)

bench-page-weight: install  ## bytes a first and a later visit of every main page fetch (see bench/README.md)
	$(BIN)/python bench/page_weight.py $(BENCH_ARGS)

bench-import: install  ## the spreadsheet import benchmark (see bench/README.md)
	$(BIN)/python bench/import_models.py $(BENCH_ARGS)

bench-accounts: install  ## the accounts import benchmark: 5,000 accounts in 60 s (see bench/README.md)
	$(BIN)/python bench/import_accounts.py $(BENCH_ARGS)

bench-read: install  ## reading an uploaded workbook, against the libraries (see bench/README.md)
	$(BIN)/python bench/read_xlsx.py $(BENCH_ARGS)

bench-official-tree: install  ## loading the official national tree twice (see bench/README.md)
	$(BIN)/python bench/official_tree.py $(BENCH_ARGS)

messages:  ## recompile the Vietnamese translations (needs gettext's msgfmt)
	msgfmt -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po
	msgfmt -o locale/vi/LC_MESSAGES/djangojs.mo locale/vi/LC_MESSAGES/djangojs.po

install: $(STAMP) .env

$(BIN)/python:
	@# A folder without its interpreter (a half-made or copied environment) is made again.
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

.env:
	cp .env.example .env

clean-db:  ## delete the embedded database (it is rebuilt by the next run)
	rm -rf var/pgdata var/run
