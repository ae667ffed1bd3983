# The project's commands. Each target bootstraps .venv/ from nothing when needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv run simulate test lint typecheck unit coverage bench bench-quick previews format clean

help:
	@echo "make run        run the game on embedded defaults and play in the terminal"
	@echo "make simulate   a 14-day season of computer players, Gazette and standings"
	@echo "make test       lint + type check + the whole test suite"
	@echo "make lint       ruff check and format check"
	@echo "make typecheck  mypy --strict"
	@echo "make coverage   the suite with a coverage report of greatwork/rules"
	@echo "make bench      the benchmarks in bench/ (about 7 minutes; see docs/benchmarks.md)"
	@echo "make bench-quick  the server benchmarks at a small scale (seconds)"
	@echo "make previews  redraw docs/img/dashboard-*.png from a live Prometheus (about 2 minutes)"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/greatwork play

simulate: $(STAMP)
	$(BIN)/greatwork simulate --players 6 --days 14

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

coverage: $(STAMP)
	$(BIN)/pytest -q --cov=greatwork.rules --cov-report=term-missing:skip-covered

bench: $(STAMP)
	$(BIN)/python bench/rules_bench.py
	$(BIN)/python bench/server_bench.py all

bench-quick: $(STAMP)
	$(BIN)/python bench/server_bench.py --quick

previews: $(STAMP)
	$(BIN)/python bench/dashboard_previews.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .coverage
