# The commands a newcomer needs. Everything runs from .venv, created on first use and installed
# from the lock (requirements/*.txt: exact versions with hashes), never from a fresh resolution.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
RUNTIME_LOCK := requirements/runtime.txt
TEST_LOCK := requirements/test.txt
# uv resolves the lock on `make lock` only; installing needs nothing but pip.
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PIP_INSTALL := $(BIN)/python -m pip install --quiet --require-hashes --no-deps

.PHONY: install demo test lint lock lock-check smoke bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

lock-check:  ## fail if pyproject.toml's dependencies changed since the lock was made
	$(PYTHON) scripts/lock.py --check

# --no-deps: the lock is complete; pip check proves it. --no-build-isolation: hatchling comes
# from the lock too, so building the editable install downloads nothing unlocked.
$(STAMP): $(BIN)/python $(RUNTIME_LOCK) pyproject.toml
	$(PYTHON) scripts/lock.py --check
	$(PIP_INSTALL) -r $(RUNTIME_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

$(TEST_STAMP): $(BIN)/python $(TEST_LOCK) pyproject.toml
	$(PYTHON) scripts/lock.py --check
	$(PIP_INSTALL) -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@ $(STAMP)

install: $(STAMP)  ## create .venv with pipedoctor in .venv/bin

demo: $(STAMP)  ## run pipedoctor on the embedded demo pipeline
	$(BIN)/pipedoctor demo

test: $(TEST_STAMP)  ## install test dependencies and run the whole test suite, one worker per core
	$(BIN)/python -m pytest -q -n auto --dist loadfile

smoke: $(TEST_STAMP)  ## build the wheel, install it into a fresh venv outside the checkout, run it
	$(BIN)/python -m pytest -q tests/test_wheel.py

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports

$(UV):
	$(PYTHON) -m pip install --quiet --target .tools uv==$(UV_VERSION)

lock: $(UV)  ## re-resolve requirements/*.txt from pyproject.toml (UPGRADE=1 moves every pin)
	$(PYTHON) scripts/lock.py --uv $(UV) $(if $(UPGRADE),--upgrade)

bench: $(TEST_STAMP)  ## run the benchmarks (not part of make test)
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

fuzz: $(TEST_STAMP)  ## the long fuzz run (make test runs a fixed 150 inputs per parser)
	PIPEDOCTOR_FUZZ_EXAMPLES=$${PIPEDOCTOR_FUZZ_EXAMPLES:-20000} $(BIN)/python -m pytest -q tests/fuzz

clean:
	rm -rf $(VENV) .tools build dist .pytest_cache
