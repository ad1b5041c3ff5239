# The two commands that set everything up on a fresh Debian machine with Python 3.11:
#   make run    create the virtualenv, install, initialise SQLite, load the demo, serve the API on :8000
#   make test   the same install, then lint, type-check and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= sqlite:///restock.db
export RESTOCK_DATABASE_URL ?= $(DB)

.PHONY: run test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	rm -f restock.db restock.db-wal restock.db-shm
	$(BIN)/restock init
	$(BIN)/restock demo --seed 7
	@echo "demo API keys (one per role; create more with: restock apikey create --role ROLE):"
	@$(BIN)/restock apikey create --role admin --name demo-admin
	@$(BIN)/restock apikey create --role warehouse --name demo-warehouse
	@$(BIN)/restock apikey create --role storefront --channel web --name demo-web-shop
	@echo "the demo's e-mails are written to mail-outbox/ as .eml files (set RESTOCK_SMTP_HOST to send them)"
	$(BIN)/restock serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(BIN)/python bench/fill_on_receipt.py
	$(BIN)/python bench/order_placement.py
	$(BIN)/python bench/api_orders.py
	$(BIN)/python bench/api_availability.py
	$(BIN)/python bench/outbox_smtp.py

clean:
	rm -rf $(VENV) restock.db restock.db-wal restock.db-shm .pytest_cache .mypy_cache .ruff_cache
