# NAP Portal — the README's two commands are `make run` and `make test`.
#   make run [PORT=8001]   venv from the lock file, SQLite, seed data, demo accounts, dev server on 127.0.0.1
#   make test              ruff, mypy and pytest against PostgreSQL and Redis on localhost
#   make bench             the volume benchmark (seed, 100k, 1M: benchmarks/RESULTS.md), then bench-micro
#   make bench-micro       pytest-benchmark suite under benchmarks/
SHELL := /bin/bash
# pipefail: a command piped through a filter still fails the target when it fails.
.SHELLFLAGS := -o pipefail -ec

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP_FLAGS := --quiet --disable-pip-version-check --require-hashes
# pip on these machines warns about configured package locations that do not exist; that is noise, not an error.
PIP_NOISE := ^WARNING: Location .* is ignored
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/napportal
export REDIS_URL_TEST ?= redis://127.0.0.1:6379/1
# The volume benchmark writes synthetic data into this database: never point it at real data.
DATABASE_URL_BENCH ?= postgres://postgres@127.0.0.1:5432/napportal_bench
BENCH_SIZES ?= seed,100k,1m
BENCH_ARGS ?=
TEST_ENV := DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST)

.PHONY: run test lint typecheck pytest bench bench-load bench-micro clean install

# The stamp is rebuilt only when the lock file changes, so repeated `make` calls do not touch pip.
$(BIN)/.installed: requirements/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing requirements/dev.txt into $(VENV) ..."
	@$(BIN)/python -m pip install $(PIP_FLAGS) -r requirements/dev.txt 2>&1 | { grep -Ev "$(PIP_NOISE)" || true; }
	@$(BIN)/python -c "import django, celery"
	@touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py create_demo_accounts --base-url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

pytest: install
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: bench-load bench-micro

# gunicorn on loopback under a bounded load at each size, the floors beside each page (benchmarks/load.py).
bench-load: install
	DATABASE_URL=$(DATABASE_URL_BENCH) REDIS_URL=$(REDIS_URL_TEST) $(BIN)/python -m benchmarks.load --sizes $(BENCH_SIZES) $(BENCH_ARGS)

bench-micro: install
	$(TEST_ENV) $(BIN)/pytest benchmarks --benchmark-only $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var
