# The two commands of the README: `make demo` (set up + run the whole job on the demo exports) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

SPARK_STAMP := $(VENV)/.spark-installed-$(shell cat requirements-spark.lock | cksum | cut -d' ' -f1)
CLUSTER_STAMP := $(VENV)/.cluster-installed-$(shell cat requirements-cluster.lock | cksum | cut -d' ' -f1)

.PHONY: setup setup-spark setup-cluster cluster-up cluster-down cluster-status test-cluster demo screenshots lint test test-spark dev lock clean benchmark benchmark-small bi bi-setup

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

# The cluster in a box (docs/beyond-one-machine.md): PostgreSQL, Redis, two Celery workers, Spark standalone (a master,
# two workers, a Thrift endpoint), a dagster-daemon (it launches the queued runs, `ror refresh`'s too), all on 127.0.0.1,
# under .cluster/ (ROR_CLUSTER_DIR). Debian's packages
# (postgresql-15, redis-server, libpostgresql-jdbc-java, Java 17) and the cluster and spark extras.
CLUSTER_DEBS := postgresql-15 redis-server libpostgresql-jdbc-java openjdk-17-jre-headless

setup-cluster: $(CLUSTER_STAMP)

$(CLUSTER_STAMP): requirements-cluster.lock $(SPARK_STAMP)
	@dpkg -s $(CLUSTER_DEBS) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $(CLUSTER_DEBS); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-cluster.lock
	@rm -f $(VENV)/.cluster-installed-* && touch $@

cluster-up: setup-cluster
	PYTHONPATH=$(CURDIR) $(BIN)/python -m cluster up

cluster-down:
	PYTHONPATH=$(CURDIR) $(BIN)/python -m cluster down

cluster-status:
	PYTHONPATH=$(CURDIR) $(BIN)/python -m cluster status

# The tests marked `cluster` (tests/cluster/), on a cluster this target starts and always stops again. The workers
# hash contacts with the salt of the environment they start in: the tests' (tests/conftest.py). .ci/run runs it after
# `make test`: 20 min at load 22-27 on 2 cores (was 34 at load 20-31 before the single-machine refresh and Superset's
# set-up ran beside the cluster refresh, tests/cluster/conftest.py): `up` 2, both refreshes 14 (dbt on Spark most of
# it), the dashboards through the endpoint 3, `down` 1.
test-cluster: setup-cluster
	@export PYTHONPATH=$(CURDIR) ROR_HASH_SALT=test-salt && $(BIN)/python -m cluster up && \
		$(BIN)/python -m pytest -m cluster tests/cluster -rs; \
		status=$$?; $(BIN)/python -m cluster down; exit $$status

demo: setup
	$(BIN)/ror demo

# The pictures in docs/ (report, asset graph), retaken from the demo warehouse; the tests write nothing into the checkout.
screenshots: demo
	$(BIN)/python scripts/screenshots.py

# ruff over the Python, sqlfluff over the dbt models (rules in dbt_project/.sqlfluff). sqlfluff's dbt templater
# compiles the models: against an empty DuckDB file, with dbt's target folder, in a temporary folder.
lint: setup
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		printf '[sqlfluff:templater:dbt]\ntarget_path = %s\n' "$$tmp/target" > "$$tmp/sqlfluff.cfg" && \
		cd dbt_project && ROR_WORK_DB="$$tmp/lint.duckdb" $(CURDIR)/$(BIN)/sqlfluff lint --config "$$tmp/sqlfluff.cfg" .

test: lint setup-spark
	$(BIN)/python -m pytest

# Just the Spark tests: the same marts as DuckDB, incremental == full (skipped, with the reason, without Java).
test-spark: setup setup-spark
	$(BIN)/python -m pytest tests/dbt/test_spark_matches_duckdb.py tests/dbt/test_spark_incremental.py -rs

# The scale benchmarks (BENCHMARKS.md): the full suite takes hours on 2 cores; benchmark-small checks it in minutes.
# BASELINE=<commit> times that commit's code beside this checkout's, on the same input (`make benchmark BASELINE=main`).
BENCHMARK_BASELINE = $(if $(BASELINE),--baseline $(BASELINE))

benchmark: setup
	$(BIN)/python -m benchmarks.run --scale full $(BENCHMARK_BASELINE)

benchmark-small: setup
	$(BIN)/python -m benchmarks.run --scale small $(BENCHMARK_BASELINE)

# The UI binds to 127.0.0.1 unless ROR_UI_HOST says otherwise. The instance queues runs of one warehouse one at a time.
# `dg dev` (`dagster dev` is superseded and says so at start) loads the project's code location from pyproject.toml;
# VIRTUAL_ENV tells it the project's venv is the one to run in, as activating it would.
dev: setup
	$(BIN)/python -m orchestration.instance $${DAGSTER_HOME:-$(CURDIR)/.dagster_home}
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster_home} VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg dev \
		-h $${ROR_UI_HOST:-127.0.0.1} -p $${ROR_UI_PORT:-3000}

# Superset on the serving file (ROR_WAREHOUSE, by default the demo's), or on a Spark SQL endpoint's marts when
# ROR_BI_SPARK_ENDPOINT names one (`. .cluster/env` sets the cluster's), at http://127.0.0.1:8088 (ROR_BI_PORT). It has
# its own venv, bi/.venv: Superset pins pandas, Flask and SQLAlchemy 1.4, which stay out of the project's venv.
BI_VENV := bi/.venv
BI_STAMP := $(BI_VENV)/.installed-$(shell cksum < bi/requirements.txt | cut -d' ' -f1)

bi-setup: $(BI_STAMP)

$(BI_STAMP): bi/requirements.txt
	@test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bi/requirements.txt
	@rm -f $(BI_VENV)/.installed-* && touch $@

bi: bi-setup
	$(BI_VENV)/bin/python bi/superset_ror.py setup $(if $(ROR_BI_SPARK_ENDPOINT),--spark-endpoint \
		$(ROR_BI_SPARK_ENDPOINT),--serving-file $${ROR_WAREHOUSE:-data/warehouse/ror.duckdb})
	$(BI_VENV)/bin/python bi/superset_ror.py serve --host $${ROR_BI_HOST:-127.0.0.1} --port $${ROR_BI_PORT:-8088}

# Re-pin every dependency after changing pyproject.toml (torch stays on the CPU build's public version; the Spark
# and cluster extras' pins stay in requirements-spark.lock and requirements-cluster.lock).
lock:
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v "^pip==" \
		| grep -v -x -F -f requirements-spark.lock -f requirements-cluster.lock \
		| sed 's/^torch==2.13.0+cpu$$/torch==2.13.0/' > requirements.lock

clean:
	rm -rf $(VENV) $(BI_VENV) bi/.superset data .dagster_home .cluster dbt_project/target dbt_project/logs
