PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8765

.PHONY: run test bench setup lint typecheck clean extension cli

run: setup cli
	$(BIN)/responde serve --port $(PORT)

cli: setup
	@bash scripts/link-cli.sh $(VENV)

extension:
	$(PYTHON) scripts/package-extension.py

test: setup
	$(BIN)/ruff check proxy tests
	$(BIN)/ruff format --check proxy tests
	$(BIN)/mypy
	bash scripts/test-deps.sh
	$(BIN)/python -m pytest

bench: setup
	bash scripts/test-deps.sh
	bash scripts/install.sh $(VENV) $(PYTHON) dev,bench
	$(BIN)/python tests/bench/run_all.py

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install.sh
	bash scripts/install.sh $(VENV) $(PYTHON)
	touch $(STAMP)

lint:
	$(BIN)/ruff check proxy tests && $(BIN)/ruff format --check proxy tests

typecheck:
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist
