"""A refresh is pointed at a deployment by configuration alone (ROR_DEPLOYMENT, orchestration/deployment.py): what
the cluster in a box writes is read into the settings, travels to the step processes, and turns into dagster-celery's
executor, a dbt profile on the cluster's Spark session and Spark's marts copied back for publishing. These run
without a cluster (in `make test`); tests/cluster/test_same_marts.py runs the real one."""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
import yaml

from cluster.services import (
    HOST,
    PORTS,
    POSTGRES_USER,
    ClusterError,
    Layout,
    _check_reachable_by,
    bi_endpoint,
    services,
    write_configuration,
)
from orchestration.cli.queued import WORKSPACE_FILE
from orchestration.dbt_project import dbt_project_for, profile_yaml, write_profile
from orchestration.deployment import DeploymentError, load_deployment
from orchestration.executor import inner_executor_config
from orchestration.names import WAREHOUSE_POOL, WAREHOUSE_STEP_TAGS
from orchestration.resources import WarehouseResource, resource_config
from orchestration.settings import Settings
from orchestration.spark_marts import declared_columns, load_spark_marts

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    layout = Layout(tmp_path / "cluster")
    write_configuration(layout)
    return layout


def test_the_cluster_s_deployment_file_reaches_every_step_process_as_a_value(layout, tmp_path):
    settings = Settings.from_env({"ROR_DEPLOYMENT": str(layout.deployment), "ROR_WAREHOUSE": str(tmp_path / "w.db")})
    deployment = settings.deployment
    assert deployment.celery["broker"].startswith(f"redis://{HOST}:")
    assert deployment.spark_conf["spark.master"].startswith(f"spark://{HOST}:")
    assert deployment.queued_runs  # `ror refresh` submits to the instance's queue, for the cluster's daemon
    assert Settings.from_json(settings.to_json()) == settings
    assert Settings.from_env({}).deployment is None


def test_the_cluster_s_env_file_names_the_instance_and_the_deployment(layout):
    exported = dict(
        line.removeprefix("export ").split("=", 1) for line in layout.env_file.read_text().splitlines() if "=" in line
    )
    assert exported["DAGSTER_HOME"] == str(layout.dagster_home)
    assert exported["ROR_DEPLOYMENT"] == str(layout.deployment)
    assert exported["ROR_BI_SPARK_ENDPOINT"] == f"hive://{POSTGRES_USER}@{HOST}:{PORTS['thrift']}/marts"
    assert "postgres" in (layout.dagster_home / "dagster.yaml").read_text()


def _superset_ror() -> ModuleType:
    """bi/superset_ror.py, loaded by path (it runs with bi/.venv's Python; this needs only its YAML handling)."""
    spec = importlib.util.spec_from_file_location("superset_ror", REPO / "bi" / "superset_ror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_superset_s_dashboards_are_set_up_on_the_cluster_s_thrift_endpoint(tmp_path):
    """`. .cluster/env && make bi`: the dashboards' database is the endpoint's marts, through PyHive's hive:// dialect,
    without DuckDB's connection arguments, and out of SQL Lab (Spark SQL reads any file its server can); the datasets,
    charts and dashboards are the serving file's."""
    superset_ror = _superset_ror()
    superset_ror.render_assets(bi_endpoint(), tmp_path / "spark")
    superset_ror.render_assets(tmp_path / "ror.duckdb", tmp_path / "duckdb")
    database = "databases/ror_warehouse.yaml"
    spark, duckdb_file = (yaml.safe_load((tmp_path / kind / database).read_text()) for kind in ("spark", "duckdb"))
    assert spark["sqlalchemy_uri"] == bi_endpoint()
    assert spark["uuid"] == duckdb_file["uuid"] and spark["allow_dml"] is False
    assert spark["expose_in_sqllab"] is False and duckdb_file["expose_in_sqllab"] is True
    assert "connect_args" not in spark["extra"]["engine_params"]
    for kind in ("datasets", "charts", "dashboards"):
        rendered = {path.name: path.read_text() for path in (tmp_path / "spark" / kind).rglob("*.yaml")}
        assert rendered == {path.name: path.read_text() for path in (tmp_path / "duckdb" / kind).rglob("*.yaml")}
    with pytest.raises(SystemExit, match="hive://"):
        superset_ror.render_assets("jdbc:hive2://127.0.0.1:50001", tmp_path / "refused")


@pytest.mark.parametrize(
    "text, names",
    [
        ("executor: [", "not valid YAML"),
        ("workers: 3\n", "only `executor:`, `dbt:` and `runs:`"),
        ("runs: daemon\n", "runs must be `queue`"),
        ("executor:\n  celery: {backend: redis://x}\n", "broker"),
        ("dbt:\n  spark:\n    conf: {spark.sql.warehouse.dir: /w}\n", "spark.master"),
    ],
)
def test_a_malformed_deployment_file_is_refused_saying_which_part(tmp_path, text, names):
    path = tmp_path / "deployment.yaml"
    path.write_text(text)
    with pytest.raises(DeploymentError, match=names) as refused:
        load_deployment(path)
    assert str(path) in str(refused.value)


def test_a_missing_deployment_file_is_a_settings_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read the deployment file"):
        Settings.from_env({"ROR_DEPLOYMENT": str(tmp_path / "absent.yaml")})


def test_with_celery_workers_every_step_is_a_celery_task(layout):
    pytest.importorskip("dagster_celery", reason="the cluster extra is not installed (make setup-cluster)")
    deployment = load_deployment(layout.deployment)
    definition, config = inner_executor_config(2, deployment.celery)
    assert definition.name == "celery"
    assert config["broker"] == deployment.celery["broker"]
    assert inner_executor_config(2)[0].name == "multiprocess"


def test_the_cluster_s_instance_runs_one_warehouse_step_at_a_time_across_its_workers(layout):
    """Celery has no tag limits: the steps that open the DuckDB file (pool WAREHOUSE_POOL, orchestration.names) wait
    for each other through the instance's pool limit, per step."""
    instance = json.loads((layout.dagster_home / "dagster.yaml").read_text().split("\n", 1)[1])
    assert instance["concurrency"]["pools"] == {"default_limit": 1, "granularity": "op"}
    assert WAREHOUSE_STEP_TAGS["dagster/concurrency_key"] == WAREHOUSE_POOL


def test_with_spark_the_dbt_profile_is_a_session_on_the_cluster(layout, tmp_path):
    spark_conf = load_deployment(layout.deployment).spark_conf
    profile = yaml.safe_load(profile_yaml(tmp_path / "ror.work.duckdb", {}, spark_conf))["ror_warehouse"]
    assert profile["target"] == "spark"
    spark = profile["outputs"]["spark"]
    assert (spark["type"], spark["method"]) == ("spark", "session")
    assert spark["server_side_parameters"]["spark.master"] == spark_conf["spark.master"]
    assert spark["server_side_parameters"]["spark.sql.session.timeZone"] == "UTC"
    assert yaml.safe_load(profile_yaml(tmp_path / "w.duckdb", {}))["ror_warehouse"]["target"] == "dev"


def test_a_warehouse_s_dbt_on_spark_keeps_its_profile_apart_from_its_dbt_on_duckdb(layout, tmp_path):
    """The cluster's code location loads the default warehouse's definitions, writing their Spark profile each time;
    a refresh on DuckDB of the same warehouse in that checkout (`make demo` while the cluster is up) must keep its own
    profile, manifest and target."""
    warehouse = str(tmp_path / "ror.duckdb")
    on_cluster = Settings.from_env({"ROR_DEPLOYMENT": str(layout.deployment), "ROR_WAREHOUSE": warehouse})
    here = Settings.from_env({"ROR_WAREHOUSE": warehouse})
    assert on_cluster.dbt_folder != here.dbt_folder
    for settings in (on_cluster, here):  # the dbt step writes its target where the definitions wrote its profile
        assert WarehouseResource(**resource_config(settings)["warehouse"]).dbt_folder == settings.dbt_folder
    write_profile(here.dbt_folder, here.working_path, here.duckdb_limits())
    write_profile(on_cluster.dbt_folder, on_cluster.working_path, {}, on_cluster.deployment.spark_conf)
    profile = yaml.safe_load((here.dbt_folder / "profiles.yml").read_text())["ror_warehouse"]
    assert profile["target"] == "dev"


def test_every_server_of_the_cluster_binds_to_this_machine_only(layout):
    # clients of the others: they bind nothing (the daemon's code server listens on a Unix socket)
    binding_nothing = {"celery-worker-1", "celery-worker-2", "dagster-daemon"}
    for service in services(layout, Path(sys.executable)):
        command = " ".join(service.argv)
        assert "0.0.0.0" not in command, service.name
        if service.name not in binding_nothing:
            assert HOST in command, service.name


def test_the_cluster_s_daemon_launches_runs_from_the_code_location_on_the_cluster_s_instance(layout):
    """The queued runs, `ror refresh`'s included, need a dagster-daemon: the last service up, the first stopped."""
    daemon = services(layout, Path(sys.executable))[-1]
    assert daemon.name == "dagster-daemon"
    assert daemon.argv[1:] == ["run", "-w", str(WORKSPACE_FILE)]
    assert daemon.env["DAGSTER_HOME"] == str(layout.dagster_home)
    assert daemon.env["ROR_DEPLOYMENT"] == str(layout.deployment)


def test_spark_s_marts_replace_the_working_database_s(tmp_path):
    """Spark writes a table as a folder of Parquet files, a partitioned one with its partition column in folder
    names: each becomes a table of schema marts (intermediate likewise), and a mart Spark no longer has is gone."""
    marts = tmp_path / "warehouse" / "marts.db"
    (marts / "advocacy").mkdir(parents=True)
    working = tmp_path / "ror.work.duckdb"
    with duckdb.connect(str(working)) as con:
        con.execute(f"copy (select 1 as account_id, 2.5 as score) to '{marts / 'advocacy' / 'part-0.parquet'}'")
        con.execute(
            "copy (select 'positive' as label, date '2024-01-02' as activity_date) "
            f"to '{marts / 'sentiment_trend'}' (format parquet, partition_by (activity_date))"
        )
        con.execute("create schema marts")
        con.execute("create table marts.stale as select 1 as x")
        assert load_spark_marts(con, tmp_path / "warehouse") == ["marts.advocacy", "marts.sentiment_trend"]
        tables = con.execute("select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()
        assert tables == [("advocacy",), ("sentiment_trend",)]
        assert con.execute("select * from marts.advocacy").fetchall() == [(1, 2.5)]
        assert con.execute("select label, activity_date::varchar from marts.sentiment_trend").fetchall() == [
            ("positive", "2024-01-02")
        ]


def test_a_table_spark_left_without_rows_is_created_empty_with_its_declared_columns(tmp_path):
    """A partitioned table with no rows has no partition, so Spark writes no Parquet file for it (a mart that the
    shared exports leave empty failed the cluster's refresh on "No files found"): it is created empty, with the column
    types its YAML declares; a table without them is named with what to do."""
    marts = tmp_path / "warehouse" / "marts.db"
    (marts / "advocacy_monthly").mkdir(parents=True)
    (marts / "advocacy_monthly" / "_SUCCESS").write_text("")
    declared = {("marts", "advocacy_monthly"): [("brand_id", "string"), ("activity_month", "date"), ("n", "bigint")]}
    with duckdb.connect(str(tmp_path / "ror.work.duckdb")) as con:
        assert load_spark_marts(con, tmp_path / "warehouse", declared) == ["marts.advocacy_monthly"]
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'advocacy_monthly' "
            "order by column_index"
        ).fetchall()
        assert columns == [("brand_id", "VARCHAR"), ("activity_month", "DATE"), ("n", "BIGINT")]
        assert con.execute("select count(*) from marts.advocacy_monthly").fetchone() == (0,)
        (marts / "undeclared").mkdir()
        with pytest.raises(ValueError, match=r"marts\.undeclared .* data type"):
            load_spark_marts(con, tmp_path / "warehouse", declared)


def test_every_mart_declares_a_data_type_for_each_column(tmp_path):
    """What lets any mart be created empty after a Spark build (declared_columns, from the parsed manifest)."""
    project = dbt_project_for(tmp_path / "dbt", tmp_path / "ror.work.duckdb", {})  # parsed
    manifest = json.loads(Path(project.manifest_path).read_text())
    marts = {node["alias"] for node in manifest["nodes"].values() if node["resource_type"] == "model"
             and node["schema"] == "marts"}  # fmt: skip
    declared = {table for schema, table in declared_columns(manifest) if schema == "marts"}
    assert marts and marts == declared


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="PostgreSQL runs as another user as root")
def test_a_data_folder_postgres_cannot_reach_is_named_with_what_to_do(tmp_path):
    private = tmp_path / "private"
    (private / "postgres").mkdir(parents=True)
    private.chmod(0o700)
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres system user on this machine")
    with pytest.raises(ClusterError, match=r"cannot reach .*chmod o\+x"):
        _check_reachable_by("postgres", private / "postgres")
