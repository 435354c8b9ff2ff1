# tbu-mc: `make run` runs the default configuration, `make test` runs the tests.
# Both create .venv with the first Python >= 3.12 found (PYTHON=... overrides) and install the package.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 python; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && \
	{ command -v $$p; break; }; done)
NO_PYTHON := tbu-mc needs Python 3.12 or newer and none was found (python3 here: \
	$(shell python3 --version 2>&1 || echo missing)). Install one, e.g. with pyenv install 3.12 \
	(.python-version asks pyenv for 3.12), or run make PYTHON=/path/to/python3.12
DATA ?= ../shared/data

.PHONY: install run test test-slow lint bench bench-quick calibrate clean 

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo '$(NO_PYTHON)' >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/tbu-mc run configs/tbu-2025.yaml --out results/tbu-2025

test: install
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

# mypy reads what it checks, and how strictly, from [tool.mypy] in pyproject.toml
lint: install
	$(BIN)/ruff check mc tests benchmarks
	$(BIN)/ruff format --check mc tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks

bench-quick: install
	$(BIN)/python -m benchmarks --quick

calibrate: install
	$(BIN)/tbu-mc calibrate configs/calibration/building-blocks-2023.yaml --data $(DATA) --out configs/tables
	$(BIN)/tbu-mc calibrate configs/calibration/building-blocks-2024-03.yaml --data $(DATA) --out configs/tables --check docs/tbu-check.md
	$(BIN)/tbu-mc population fit --data $(DATA) --origin 2024 --out configs/tables/population-fit-2024.json
	$(BIN)/tbu-mc population fit --data $(DATA) --origin 2024 --level municipality \
		--out configs/tables/population-fit-2024-municipal.json

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache .mypy_cache
