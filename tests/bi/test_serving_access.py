"""What a BI reader reaches through the serving file, and where the project's servers listen. Fast: a real DuckDB
file, the project's reader and Superset's connection as bi/superset_config.py and bi/assets build it (SQLAlchemy with
duckdb-engine), no Superset server."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import duckdb
import psutil
import pytest
import sqlalchemy
import yaml
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from orchestration.publish import open_serving, publish

REPO = Path(__file__).resolve().parents[2]
DATABASE_ASSET = REPO / "bi" / "assets" / "databases" / "ror_warehouse.yaml"

Query = Callable[[str], list[tuple]]
Reader = Callable[[Path], AbstractContextManager[Query]]


def _superset_engine(serving: Path) -> sqlalchemy.Engine:
    """The engine Superset's Database._get_sqla_engine builds for the imported database: its engine_params, NullPool,
    then bi/superset_config.py's DB_CONNECTION_MUTATOR."""
    spec = importlib.util.spec_from_file_location("superset_config", REPO / "bi" / "superset_config.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    database = yaml.safe_load(DATABASE_ASSET.read_text())
    url = make_url(database["sqlalchemy_uri"].replace("__SERVING_FILE__", str(serving)))
    params = {**database["extra"]["engine_params"], "poolclass": NullPool}
    url, params = config.DB_CONNECTION_MUTATOR(url, params, "admin", None, None)
    return sqlalchemy.create_engine(url, **params)


@contextmanager
def _project_reader(serving: Path) -> Iterator[Query]:
    con = open_serving(serving)
    try:
        yield lambda sql: con.execute(sql).fetchall()
    finally:
        con.close()


@contextmanager
def _superset_connection(serving: Path) -> Iterator[Query]:
    with _superset_engine(serving).connect() as con:

        def query(sql: str) -> list[tuple]:
            with con.begin():  # a refused statement rolls back, as Superset's one query per connection does
                return [tuple(row) for row in con.execute(sqlalchemy.text(sql))]

        yield query


@pytest.fixture(params=["project reader", "Superset"])
def reader(request, tmp_path, monkeypatch) -> Reader:
    """Opens a connection to the serving file the way the project's readers, or Superset, do."""
    monkeypatch.setenv("ROR_BI_HOME", str(tmp_path / "superset_home"))  # where superset_config keeps its secret key
    return _project_reader if request.param == "project reader" else _superset_connection


@pytest.fixture
def served(tmp_path) -> tuple[Path, Path]:
    """A working database with one mart, published once as refresh run-1."""
    working, serving = tmp_path / "ror.work.duckdb", tmp_path / "serve" / "ror.duckdb"
    with duckdb.connect(str(working)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.advocacy as select 'p1' as person_id, 3 as referral_actions")
    publish(working, serving, "run-1")
    return working, serving


def _refresh(query: Query) -> str:
    ((refresh_id,),) = query("select distinct refresh_id from marts.advocacy")
    return refresh_id


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("select * from read_text('/etc/passwd')", "disabled by configuration"),
        ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("select * from '/etc/passwd'", "Table with name /etc/passwd does not exist"),  # no file scan at all
        ("select * from glob('/etc/*')", "disabled by configuration"),
        ("attach '{working}' as work (read_only)", "disabled by configuration"),
        ("copy marts.advocacy to '{copy}'", "disabled by configuration"),
        ("install httpfs", "disabled by configuration"),
        ("set enable_external_access = true", "configuration has been locked"),
        ("reset enable_external_access", "configuration has been locked"),
        ("set lock_configuration = false", "configuration has been locked"),
        ("pragma enable_profiling", "configuration has been locked"),
    ],
)
def test_a_bi_connection_reads_the_marts_and_nothing_else(reader, served, tmp_path, statement, refusal):
    working, serving = served
    with reader(serving) as query:
        assert _refresh(query) == "run-1"
        with pytest.raises(Exception, match=refusal):
            query(statement.format(working=working, copy=tmp_path / "copy.csv"))
        assert _refresh(query) == "run-1"  # the refusal left the connection usable
    assert not (tmp_path / "copy.csv").exists()


def test_a_bi_connection_has_the_serving_file_as_its_only_database(reader, served):
    """Catalogs and schemas as when the file is opened directly: SQL Lab lists ror.marts and nothing extra."""
    with reader(served[1]) as query:
        assert query("select current_database(), current_schema()") == [("ror", "main")]
        assert query("select database_name from duckdb_databases() where not internal") == [("ror",)]


def test_a_connection_held_open_does_not_keep_new_connections_on_the_old_refresh(reader, served):
    """A long query (or a client that keeps its connection) reads the snapshot it opened; every connection opened
    after a publication, in the same process, reads the new one."""
    working, serving = served
    with reader(serving) as held:
        for refresh_id in ["run-2", "run-3"]:
            publish(working, serving, refresh_id)
            with reader(serving) as fresh:
                assert _refresh(fresh) == refresh_id
        assert _refresh(held) == "run-1"


def test_the_database_asset_alone_gives_another_superset_the_same_limits(served):
    """Imported into a Superset without bi/superset_config.py, the connection still reads nothing but the marts."""
    working, serving = served
    database = yaml.safe_load(DATABASE_ASSET.read_text())
    url = database["sqlalchemy_uri"].replace("__SERVING_FILE__", str(serving))
    engine = sqlalchemy.create_engine(url, poolclass=NullPool, **database["extra"]["engine_params"])
    with engine.connect() as con:
        assert con.execute(sqlalchemy.text("select refresh_id from marts.advocacy")).fetchall() == [("run-1",)]
    for statement, refusal in [
        ("select * from read_text('/etc/passwd')", "disabled by configuration"),
        (f"attach '{working}' as work", "disabled by configuration"),
        ("set enable_external_access = true", "configuration has been locked"),
    ]:
        with pytest.raises(sqlalchemy.exc.DBAPIError, match=refusal), engine.connect() as con:
            con.execute(sqlalchemy.text(statement))


def _spark_settings(spark_dir: Path | str = "spark") -> dict[str, str]:
    """The spark target's session settings, rendered by dbt from profiles.yml with the current environment."""
    set_invocation_context({**os.environ, "ROR_WORK_DB": "ror.work.duckdb", "ROR_SPARK_DIR": str(spark_dir)})
    profiles = ProfileRenderer({}).render_data(yaml.safe_load((REPO / "dbt_project" / "profiles.yml").read_text()))
    return profiles["ror_warehouse"]["outputs"]["spark"]["server_side_parameters"]


def test_the_spark_target_listens_on_this_machine_only_unless_configured(monkeypatch):
    monkeypatch.delenv("ROR_SPARK_HOST", raising=False)
    settings = _spark_settings()
    assert (settings["spark.driver.bindAddress"], settings["spark.driver.host"]) == ("127.0.0.1", "127.0.0.1")
    assert settings["spark.ui.enabled"] == "false"
    monkeypatch.setenv("ROR_SPARK_HOST", "10.1.2.3")
    assert _spark_settings()["spark.driver.bindAddress"] == "10.1.2.3"


@pytest.mark.skipif(
    shutil.which("java") is None or importlib.util.find_spec("pyspark") is None,
    reason="Spark check skipped: needs Java and the spark extra (pip install -e .[spark])",
)
def test_a_spark_session_with_the_spark_target_settings_listens_on_loopback_only(monkeypatch, tmp_path):
    """The session dbt-spark opens (method session builds it from these settings): left to its defaults, Spark's
    driver listens on the address the host name resolves to."""
    from pyspark.sql import SparkSession

    monkeypatch.delenv("ROR_SPARK_HOST", raising=False)
    builder = SparkSession.builder
    for setting, value in {**_spark_settings(tmp_path), "spark.sql.catalogImplementation": "in-memory"}.items():
        builder = builder.config(setting, value)
    spark = builder.getOrCreate()
    try:
        assert spark.range(10).count() == 10
        jvms = [child for child in psutil.Process().children(recursive=True) if "java" in child.name()]
        listening = {
            connection.laddr.ip
            for jvm in jvms
            for connection in jvm.net_connections(kind="inet")
            if connection.status == psutil.CONN_LISTEN
        }
    finally:
        spark.stop()
    addresses = [ipaddress.ip_address(ip) for ip in listening]
    assert addresses and all((address.ipv4_mapped or address).is_loopback for address in addresses), listening


@pytest.mark.parametrize(
    ("target", "listens_on"),
    [
        ("dev", "dg dev -h 127.0.0.1 -p 3000"),
        ("bi", "bi/superset_ror.py serve --host 127.0.0.1 --port 8088"),
    ],
)
def test_make_starts_its_servers_on_this_machine_only(target, listens_on):
    """What `make` would run with none of ROR_UI_HOST, ROR_UI_PORT, ROR_BI_HOST, ROR_BI_PORT set (dry run only)."""
    commands = subprocess.run(
        ["make", "-n", "-s", target], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    with_defaults = re.sub(r"\$\{(?:ROR_UI|ROR_BI)_(?:HOST|PORT):-([^}]*)\}", r"\1", commands)
    assert listens_on in " ".join(with_defaults.replace("\\\n", " ").split())


def test_superset_can_load_the_serving_reader_without_the_project():
    """bi/superset_config.py loads orchestration/publish.py by path into Superset's venv, which lacks the project:
    the module must import with every project package unavailable."""
    project_packages = ("orchestration", "ingest", "models", "report", "ror_config", "generators", "extract", "alerts")
    reader = str(REPO / "orchestration" / "publish.py")
    code = (
        "import sys, importlib.util\n"
        f"for name in {project_packages!r}: sys.modules[name] = None\n"
        f"spec = importlib.util.spec_from_file_location('ror_serving', {reader!r})\n"
        "module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)\n"  # as bi/superset_config.py does
        "spec.loader.exec_module(module)\n"
        "print(callable(module.open_serving))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr.splitlines()[-1:]
    assert loaded.stdout.strip() == "True"
