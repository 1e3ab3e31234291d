# stockshift — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := examples/demo
OUT    := out
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup web lint typecheck pytest web-test e2e bench bench-scale bench-stores plan-demo clean

## Set everything up, then run the main job on the shipped demo data.
## Then load it into a fresh SQLite database under var/, make an admin key, plan once in
## the database and serve the API and dashboard on http://127.0.0.1:8000.
RUN_DB := sqlite:///var/stockshift.db
run: setup web
	$(BIN)/stockshift plan --stores $(DEMO)/stores.csv --inventory $(DEMO)/inventory.csv \
	  --sales $(DEMO)/sales.csv --output $(OUT)/plan.json --csv $(OUT) --quiet
	rm -f var/stockshift.db var/stockshift.db-wal var/stockshift.db-shm
	$(BIN)/stockshift db upgrade --database-url $(RUN_DB)
	$(BIN)/stockshift db import --database-url $(RUN_DB) --stores $(DEMO)/stores.csv \
	  --inventory $(DEMO)/inventory.csv --sales $(DEMO)/sales.csv
	@key=$$($(BIN)/stockshift keys create --database-url $(RUN_DB) --role admin --name demo \
	  | tail -n 1) && echo "Admin API key (sign in to the dashboard with it): $$key"
	$(BIN)/stockshift db plan --database-url $(RUN_DB)
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(BIN)/stockshift serve --database-url $(RUN_DB) --host 127.0.0.1 --port 8000

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

## Install what the tests need and run them all.
test: setup web lint typecheck pytest web-test

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

## One worker per core (pytest-xdist; tests/conftest.py keeps the engine tests on one worker).
## Plain `pytest` still runs the suite in one process.
pytest: setup
	$(BIN)/pytest -n auto

web:
	@if [ -f web/package.json ]; then $(MAKE) -C web build; fi

web-test:
	@if [ -f web/package.json ]; then $(MAKE) -C web test; fi

## Benchmarks; docs/benchmarks.md. The scale-out goal (100 million rows on a 2-worker Dask
## LocalCluster, issue 12) is its own target, `make bench-scale`: it makes a 100-million-row
## chain (a few GB in benchmarks/data/) and loads the machine for minutes.
bench: setup
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.impact
	$(BIN)/python -m benchmarks.forecast_accuracy
	$(BIN)/python -m benchmarks.load --part api
	$(BIN)/python -m benchmarks.dbpath

## Plan 2,000 stores x 50,000 products with --engine dask (2 workers, 6 GB each) and a
## 10-million-row slice in one process; docs/benchmarks.md's scale-out section.
bench-scale: setup
	nice -n 10 $(BIN)/python -m benchmarks.scale

## Plan 20,000 and 50,000 stores x 200 products in one process, with and without
## --max-distance-km (a case passing 8 GB is stopped); docs/benchmarks.md's many-stores section.
bench-stores: setup
	nice -n 10 $(BIN)/python -m benchmarks.stores

clean:
	rm -rf $(VENV) $(OUT) src/stockshift/web_dist web/node_modules web/dist
