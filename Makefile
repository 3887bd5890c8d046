# The two commands of the README: `make demo` (set up + run the whole job on the demo exports) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

SPARK_STAMP := $(VENV)/.spark-installed-$(shell cat requirements-spark.lock | cksum | cut -d' ' -f1)

.PHONY: setup setup-spark demo test test-spark dev lock clean benchmark benchmark-small

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $@

# The optional Spark extra (pip install -e .[spark]), pinned: the tests compare the marts built on Spark and DuckDB.
setup-spark: $(SPARK_STAMP)

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	@rm -f $(VENV)/.spark-installed-* && touch $@

demo: setup
	$(BIN)/ror demo

test: setup setup-spark
	$(BIN)/python -m pytest

# Just the Spark-vs-DuckDB comparison (skipped, with the reason, where Java is missing).
test-spark: setup setup-spark
	$(BIN)/python -m pytest tests/dbt/test_spark_matches_duckdb.py -rs

# The scale benchmarks (BENCHMARKS.md): the full suite takes hours on 2 cores; benchmark-small checks it in minutes.
benchmark: setup
	$(BIN)/python -m benchmarks.run --scale full

benchmark-small: setup
	$(BIN)/python -m benchmarks.run --scale small

# The UI binds to 127.0.0.1 unless ROR_UI_HOST says otherwise. The instance queues runs of one warehouse one at a time.
dev: setup
	$(BIN)/python -m orchestration.instance $${DAGSTER_HOME:-$(CURDIR)/.dagster_home}
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster_home} $(BIN)/dagster dev -w workspace.yaml \
		-h $${ROR_UI_HOST:-127.0.0.1} -p $${ROR_UI_PORT:-3000}

# Re-pin every dependency after changing pyproject.toml (torch stays on the CPU build's public version; the Spark
# extra's pins stay in requirements-spark.lock).
lock:
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v "^pip==" | grep -v -x -F -f requirements-spark.lock \
		| sed 's/^torch==2.13.0+cpu$$/torch==2.13.0/' > requirements.lock

clean:
	rm -rf $(VENV) data .dagster_home dbt_project/target dbt_project/logs
