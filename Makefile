# The two commands of the README: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
export VIGIL_HOME ?= $(CURDIR)/vigil-home

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## The main job on the embedded default: load the bundled lists (first run), screen the example
## customer file against them with alerts raised, and show the alert queue.
run: $(BIN)/.installed
	$(BIN)/vigil lists status
	$(BIN)/vigil screen-file examples/customers.csv --out $(VIGIL_HOME)/results.csv \
		--id-column customer_id --type-column type --dob-column dob --country-column country --alerts
	$(BIN)/vigil alerts list --status open

## The whole test suite: lint, strict type check, every test (slow and PostgreSQL ones included).
test: lint typecheck pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks tools

typecheck: $(BIN)/.installed
	$(BIN)/mypy

pytest: $(BIN)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_lists.py
	$(BIN)/python benchmarks/bench_matching.py
	$(BIN)/python benchmarks/bench_screening.py
	$(BIN)/python benchmarks/bench_api.py

clean:
	rm -rf $(VENV) vigil-home .pytest_cache .mypy_cache .ruff_cache
