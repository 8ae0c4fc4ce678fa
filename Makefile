# Flowmart — `make demo` and `make test` are the two set-up commands (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install install-dev install-spark manifest demo test readme-walk test-fast spark-check lint format docs dagster bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

DEV_STAMP := $(VENV)/.installed-dev
# the repository root on sys.path (a .pth file): setuptools' default finder for a flat layout warns on every install
EDITABLE := --config-settings editable_mode=compat

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e . $(EDITABLE)
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]' $(EDITABLE)
	touch $(DEV_STAMP)

SPARK_STAMP := $(VENV)/.installed-spark

$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[spark]' $(EDITABLE)
	touch $(SPARK_STAMP)

install: $(STAMP) ## create .venv and install Flowmart with every pinned dependency (no test tools)

install-dev: $(DEV_STAMP) ## install also the test and lint tools (pytest, playwright, ruff, sqlfluff)

install-spark: $(SPARK_STAMP) ## install also dbt-spark and pyspark (the `spark` extra; Spark needs Java 17)

manifest: install ## prepare the dbt manifest Dagster loads (dagster-dbt, orchestration/project.py)
	$(BIN)/dagster-dbt project prepare-and-package --file orchestration/project.py

demo: install ## generate the demo exports, land them, build the warehouse, print example queries
	$(BIN)/flowmart demo

test: install-dev manifest ## run the whole test suite
	$(BIN)/python -m pytest

readme-walk: install-dev ## walk the README as a new user would (CI runs it on the oldest and newest Python)
	$(BIN)/python -m pytest tests/integration/test_readme.py

spark-check: install-spark ## build the fixtures on DuckDB and on a local Spark, compare every mart (docs/scaling.md)
	$(BIN)/python -m flowmart.spark_check

test-fast: install-dev ## the suite without the slow integration tests
	$(BIN)/python -m pytest -m "not slow"

lint: install-dev ## ruff (check and format) on the Python, sqlfluff (dbt templater) on the SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m flowmart.sqllint

format: install-dev ## rewrite the Python with ruff format and fix what sqlfluff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/python -m flowmart.sqllint --fix

docs: install ## build the dbt docs site (every mart and column described) and serve it on http://127.0.0.1:8080
	$(BIN)/python -m flowmart.docs_site --serve

dagster: manifest ## open the Dagster UI on http://127.0.0.1:3000 (landing sensor, schedules, lineage)
	mkdir -p .dagster_home && cp orchestration/dagster.yaml .dagster_home/dagster.yaml
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(BIN)):$$PATH DAGSTER_HOME=$(CURDIR)/.dagster_home \
		$(BIN)/dg dev --host 127.0.0.1 --port 3000

bench: install ## landing benchmark (100,000 items); figures go to docs/benchmarks.md
	$(BIN)/python benchmarks/bench_landing.py --items 100000

clean: ## remove the warehouse, demo data and build output (keeps .venv)
	rm -rf warehouse demo-data target logs reports
