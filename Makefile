# Two commands matter (see README): `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup model run test bench bench-pipeline

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

# Train the default model if there is none yet (about 20 minutes on 2 cores with every dataset). First fetch
# whatever datasets can be fetched that are not here yet (nothing to do where ../shared/datasets has them all;
# the two it cannot fetch by itself are reported, and training says which datasets it used).
model: setup
	@$(BIN)/python -c "import sys; from classifier.bundle import latest_bundle; from service.config import load_settings; sys.exit(0 if latest_bundle(load_settings().models_dir) else 1)" \
		|| { $(BIN)/moderation data fetch || true; $(BIN)/moderation train; }

# The whole service on this machine (SQLite and the embedded broker under var/): migrates, activates the
# model, starts the worker and the API on http://127.0.0.1:8000; Ctrl-C stops everything.
run: model
	$(BIN)/moderation run

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: setup
	OMP_NUM_THREADS=1 $(BIN)/python bench/classifier.py

# API throughput and end-to-end latency (needs PostgreSQL and Redis; see docs/performance.md).
bench-pipeline: model
	$(BIN)/python bench/pipeline.py
