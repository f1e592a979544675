PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8765

.PHONY: run test bench setup model lint typecheck clean extension cli

run: setup cli model
	$(BIN)/responde serve --port $(PORT)

cli: setup
	@bash scripts/link-cli.sh $(VENV)

# the shipped model, trained once into the installation (.venv/share/responde/models) before anything reads a
# message, so a first serve / classify / eval under any data directory copies it instead of training
model: setup
	$(BIN)/python -m proxy.build_model

extension:
	$(PYTHON) scripts/package-extension.py

test: setup
	$(BIN)/ruff check proxy tests
	$(BIN)/ruff format --check proxy tests
	$(BIN)/mypy
	bash scripts/test-deps.sh
	$(BIN)/python -m proxy.build_model
	$(BIN)/python -m pytest

bench: setup
	bash scripts/test-deps.sh
	bash scripts/install.sh $(VENV) $(PYTHON) dev,bench
	$(BIN)/python -m proxy.build_model
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
