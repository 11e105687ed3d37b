# Clocher — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most four; TEST_JOBS=0 runs in this process.
TEST_JOBS ?= auto
XDIST := -n $(TEST_JOBS) --maxprocesses=4

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/clocher: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.test-deps: pyproject.toml $(BIN)/clocher
	$(BIN)/pip install --quiet -e ".[test,redis]"
	@touch $@

install: $(BIN)/clocher ## Create .venv and install Clocher

demo: install ## Install, migrate, load the demo data and serve on http://127.0.0.1:8000 with the worker
	$(BIN)/clocher migrate --no-input
	$(BIN)/clocher demo
	$(BIN)/clocher run --port $(PORT)

test: $(VENV)/.test-deps ## Run the whole suite (SQLite, then PostgreSQL if CLOCHER_TEST_DATABASE_URL is set)
	$(BIN)/ruff check clocher conftest.py $(wildcard bench)
	$(BIN)/mypy clocher
	$(BIN)/python -m pytest -p no:cacheprovider $(XDIST) $(PYTEST_ARGS)
	@if [ -n "$$CLOCHER_TEST_DATABASE_URL" ]; then \
		echo "== Again on PostgreSQL ($$CLOCHER_TEST_DATABASE_URL)"; \
		CLOCHER_TEST_BACKEND=postgres $(BIN)/python -m pytest -p no:cacheprovider -m "not browser" $(XDIST) $(PYTEST_ARGS); \
	else \
		echo "CLOCHER_TEST_DATABASE_URL is not set: the PostgreSQL pass is skipped."; \
	fi

lint: $(VENV)/.test-deps ## ruff and mypy
	$(BIN)/ruff check clocher conftest.py $(wildcard bench)
	$(BIN)/mypy clocher

messages: ## Extract and compile the French and English translations (needs GNU gettext)
	cd clocher && ../$(BIN)/clocher makemessages -l fr -l en --no-location && ../$(BIN)/clocher compilemessages

bench: $(VENV)/.test-deps ## Run the benchmarks (figures go to docs/performance.md)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var

.PHONY: help install demo test lint messages bench clean
