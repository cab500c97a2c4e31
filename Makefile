# The commands a newcomer needs. Everything runs from .venv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install demo test lint bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)  ## create .venv with pipedoctor in .venv/bin

demo: $(STAMP)  ## run pipedoctor on the embedded demo pipeline
	$(BIN)/pipedoctor demo

test: $(TEST_STAMP)  ## install test dependencies and run the whole test suite
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

bench: $(TEST_STAMP)  ## run the benchmarks (not part of make test)
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

fuzz: $(TEST_STAMP)  ## the long fuzz run (make test runs a fixed 150 inputs per parser)
	PIPEDOCTOR_FUZZ_EXAMPLES=$${PIPEDOCTOR_FUZZ_EXAMPLES:-20000} $(BIN)/python -m pytest -q tests/fuzz

clean:
	rm -rf $(VENV) build dist .pytest_cache
