# NAP Portal — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP_QUIET := --quiet --disable-pip-version-check
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/napportal
export REDIS_URL_TEST ?= redis://127.0.0.1:6379/1

.PHONY: run test lint typecheck pytest bench clean install

$(BIN)/.installed: requirements/dev.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --require-hashes -r requirements/dev.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import django, celery" && touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_seed
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

pytest: install
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) $(BIN)/pytest benchmarks --benchmark-only

clean:
	rm -rf $(VENV) db.sqlite3 var
