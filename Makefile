# Flowmart — `make demo` and `make test` are the two set-up commands (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install manifest demo test test-fast lint format docs dagster bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install every pinned dependency

manifest: install ## prepare the dbt manifest Dagster loads (dagster-dbt, orchestration/project.py)
	$(BIN)/dagster-dbt project prepare-and-package --file orchestration/project.py

demo: install ## generate the demo exports, land them, build the warehouse, print example queries
	$(BIN)/flowmart demo

test: manifest ## run the whole test suite
	$(BIN)/python -m pytest

test-fast: install ## the suite without the slow integration tests
	$(BIN)/python -m pytest -m "not slow"

lint: install ## ruff (check and format) on the Python, sqlfluff (dbt templater) on the SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m flowmart.sqllint

format: install ## rewrite the Python with ruff format and fix what sqlfluff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/python -m flowmart.sqllint --fix

docs: install ## build the dbt docs site (every mart and column described) and print where index.html is
	$(BIN)/python -m flowmart.docs_site

dagster: manifest ## open the Dagster UI on http://127.0.0.1:3000 (landing sensor, schedules, lineage)
	mkdir -p .dagster_home && cp orchestration/dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -h 127.0.0.1 -p 3000

bench: install ## landing benchmark (100,000 items); figures go to docs/benchmarks.md
	$(BIN)/python benchmarks/bench_landing.py --items 100000

clean: ## remove the warehouse, demo data and build output (keeps .venv)
	rm -rf warehouse demo-data target logs reports
