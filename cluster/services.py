"""A small cluster on this machine, from the package registries only: what `make cluster-up` starts and
`make cluster-down` stops.

- PostgreSQL 15 (Debian's package): the Dagster instance's storage and run queue, and the Hive metastore Spark keeps
  its tables in. initdb refuses root: run as root, every PostgreSQL command runs as the `postgres` system user.
- Redis (Debian's package): the broker and result store of Dagster's Celery executor (dagster-celery).
- Two Celery workers, each its own process group, one step at a time each: the refresh's steps run on them.
- Spark standalone (the pyspark package's jars, started with its bin/spark-class and bin/spark-submit): a master, two
  workers of 1 core and 1 GiB each, and a Thrift (HiveServer2) endpoint whose metastore is in PostgreSQL, so dbt's
  Spark session and any SQL client see the same tables.
- A dagster-daemon on the instance: it launches the queued runs (`ror refresh`'s included: the deployment file says
  `runs: queue`, orchestration.cli.queued) from the code location of workspace.yaml, one per warehouse at a time, and
  runs the schedule and sensors. It binds no port (its code server listens on a Unix socket).

Every server binds to 127.0.0.1. Everything lives under one folder (default .cluster/ in the checkout): data, logs,
one pid file per service, and the configuration a refresh is pointed at (``deployment.yaml``, ``dagster_home/``,
``env``). `down` stops what `up` started, by those pid files, whole process groups, and removes the pid files; the
data stays for the next `up`.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

from orchestration.cli.queued import WORKSPACE_FILE
from orchestration.names import WAREHOUSE_TAG

HOST = "127.0.0.1"
# The ports, in one place (unusual numbers: beside a developer's own PostgreSQL, Redis or Spark).
PORTS = {
    "postgres": 55432,
    "redis": 56379,
    "spark_master": 57077,
    "spark_master_ui": 58080,
    "spark_worker_ui": 58081,  # the first worker's; the second takes the next port
    "thrift": 50001,
}
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGRES_USER = "ror"  # the role the instance and the metastore connect as (trust, on 127.0.0.1 only)
DATABASES = ("dagster", "metastore")
POSTGRES_JDBC_JAR = Path("/usr/share/java/postgresql.jar")  # Debian's libpostgresql-jdbc-java
SPARK_HOME = Path(pyspark.__file__).parent
SPARK_WORKERS = 2
CELERY_WORKERS = 2
# Small on purpose: the whole cluster shares the machine with everything else.
SPARK_WORKER_CORES, SPARK_WORKER_MEMORY, SPARK_EXECUTOR_MEMORY = 1, "1g", "768m"
SPARK_DAEMON_MEMORY = "256m"
STOP_WAIT_SECONDS = 30


class ClusterError(Exception):
    """A service did not start or stop; the message says which and where its log is."""


@dataclass(frozen=True)
class Layout:
    """Where one cluster keeps everything: data, logs, pid files and the configuration it writes."""

    root: Path

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def postgres_data(self) -> Path:
        return self.root / "postgres"

    @property
    def postgres_sockets(self) -> Path:
        return self.root / "postgres-sockets"

    @property
    def redis_data(self) -> Path:
        return self.root / "redis"

    @property
    def spark(self) -> Path:
        return self.root / "spark"

    @property
    def spark_warehouse(self) -> Path:
        return self.spark / "warehouse"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def celery_config(self) -> Path:
        return self.root / "celery.yaml"

    @property
    def deployment(self) -> Path:
        return self.root / "deployment.yaml"

    @property
    def env_file(self) -> Path:
        return self.root / "env"


def redis_url(database: int) -> str:
    return f"redis://{HOST}:{PORTS['redis']}/{database}"


def bi_endpoint() -> str:
    """The SQLAlchemy URI of the Thrift endpoint's marts for a BI tool (PyHive's `hive` dialect: HiveServer2's
    protocol, which Spark's Thrift server speaks); `make bi` takes it from ROR_BI_SPARK_ENDPOINT."""
    return f"hive://{POSTGRES_USER}@{HOST}:{PORTS['thrift']}/marts"


def postgres_jdbc_url(database: str) -> str:
    return f"jdbc:postgresql://{HOST}:{PORTS['postgres']}/{database}"


def metastore_conf(layout: Layout) -> dict[str, str]:
    """Spark settings every Spark application of the cluster shares: the Hive metastore in PostgreSQL (one
    metastore for the Thrift endpoint and dbt's session; Derby would allow one JVM), the warehouse folder.

    pyspark ships no schema script for the metastore: DataNucleus creates each of its tables the first time a
    statement needs it (the first `up` makes it create them all: ``warm_up_metastore``). Without foreign keys: adding
    one to a new table waits for a lock on the table it references, which the statement that needed the new table
    holds, on another connection of the same process, so the metastore would wait on itself for ever."""
    return {
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(layout.spark_warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": postgres_jdbc_url("metastore"),
        "spark.hadoop.javax.jdo.option.ConnectionDriverName": "org.postgresql.Driver",
        "spark.hadoop.javax.jdo.option.ConnectionUserName": POSTGRES_USER,
        "spark.hadoop.javax.jdo.option.ConnectionPassword": "",
        "spark.hadoop.datanucleus.schema.autoCreateAll": "false",
        "spark.hadoop.datanucleus.schema.autoCreateTables": "true",
        "spark.hadoop.datanucleus.schema.autoCreateColumns": "true",
        "spark.hadoop.datanucleus.schema.autoCreateConstraints": "false",
        "spark.hadoop.hive.metastore.schema.verification": "false",
        "spark.driver.extraClassPath": str(POSTGRES_JDBC_JAR),
        "spark.executor.extraClassPath": str(POSTGRES_JDBC_JAR),
    }


def application_conf() -> dict[str, str]:
    """Spark settings of an application on the cluster: its driver on 127.0.0.1, executors only while it works
    (dynamic allocation: an idle Thrift endpoint leaves both workers to dbt), no UI."""
    return {
        "spark.master": f"spark://{HOST}:{PORTS['spark_master']}",
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.ui.enabled": "false",
        "spark.executor.memory": SPARK_EXECUTOR_MEMORY,
        "spark.executor.cores": str(SPARK_WORKER_CORES),
        "spark.dynamicAllocation.enabled": "true",
        "spark.dynamicAllocation.shuffleTracking.enabled": "true",
        "spark.dynamicAllocation.minExecutors": "0",
        "spark.dynamicAllocation.maxExecutors": str(SPARK_WORKERS),
        "spark.dynamicAllocation.executorIdleTimeout": "20s",
        "spark.sql.session.timeZone": "UTC",
    }


@dataclass
class Service:
    """One server: how to start it, how to tell it is ready, how to stop it."""

    name: str
    argv: list[str]
    ready: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    # the command that stops it (PostgreSQL's own, whose children leave its process group); else SIGTERM to the group
    stop: list[str] | None = None
    ready_timeout: float = 120.0


def _port_open(port: int) -> Callable[[], bool]:
    def is_open() -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex((HOST, port)) == 0

    return is_open


def _log_says(path: Path, text: str) -> Callable[[], bool]:
    return lambda: path.exists() and text in path.read_text(errors="replace")


def _as_root() -> bool:
    return os.geteuid() == 0


def _postgres_owner() -> str | None:
    """The system user PostgreSQL runs as: `postgres` when we are root (initdb refuses root), else ourselves."""
    return "postgres" if _as_root() else None


def _run_as(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def _spark_env(layout: Layout) -> dict[str, str]:
    return {
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_DAEMON_MEMORY": SPARK_DAEMON_MEMORY,
        "SPARK_LOG_DIR": str(layout.logs),
        "SPARK_LOCAL_DIRS": str(layout.spark / "tmp"),
        # no spark-defaults.conf or log4j settings from elsewhere
        "SPARK_CONF_DIR": str(layout.spark / "conf"),
    }


def _conf_args(conf: dict[str, str]) -> list[str]:
    return [arg for name, value in conf.items() for arg in ("--conf", f"{name}={value}")]


def services(layout: Layout, python: Path) -> list[Service]:
    """The cluster's servers in the order they start (stopped in the reverse order)."""
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    master_url = f"spark://{HOST}:{PORTS['spark_master']}"
    spark_env = _spark_env(layout)
    found: list[Service] = [
        Service(
            "postgres",
            _run_as(
                _postgres_owner(),
                [
                    str(POSTGRES_BIN / "postgres"),
                    "-D",
                    str(layout.postgres_data),
                    "-c",
                    f"listen_addresses={HOST}",
                    "-c",
                    f"port={PORTS['postgres']}",
                    "-c",
                    f"unix_socket_directories={layout.postgres_sockets}",
                    "-c",
                    "max_connections=100",
                ],
            ),
            _port_open(PORTS["postgres"]),
            # fast shutdown (a smart one waits for every client to leave); it waits until the server is down
            stop=_run_as(
                _postgres_owner(),
                [str(POSTGRES_BIN / "pg_ctl"), "stop", "-D", str(layout.postgres_data), "-m", "fast", "-w"],
            ),
        ),
        Service(
            "redis",
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(PORTS["redis"]),
                "--dir",
                str(layout.redis_data),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            _port_open(PORTS["redis"]),
        ),
        Service(
            "spark-master",
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                "--host",
                HOST,
                "--port",
                str(PORTS["spark_master"]),
                "--webui-port",
                str(PORTS["spark_master_ui"]),
            ],
            _port_open(PORTS["spark_master"]),
            env=spark_env,
        ),
    ]
    for index in range(SPARK_WORKERS):
        log = layout.logs / f"spark-worker-{index + 1}.log"
        found.append(
            Service(
                f"spark-worker-{index + 1}",
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    HOST,
                    "--cores",
                    str(SPARK_WORKER_CORES),
                    "--memory",
                    SPARK_WORKER_MEMORY,
                    "--webui-port",
                    str(PORTS["spark_worker_ui"] + index),
                    "--work-dir",
                    str(layout.spark / f"work-{index + 1}"),
                    master_url,
                ],
                _log_says(log, "Successfully registered with master"),
                env=spark_env,
            )
        )
    found.append(
        Service(
            "spark-thrift",
            [
                str(SPARK_HOME / "bin" / "spark-submit"),
                "--class",
                "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
                "--name",
                "ror-thrift",
                *_conf_args({**application_conf(), **metastore_conf(layout)}),
                "--hiveconf",
                f"hive.server2.thrift.bind.host={HOST}",
                "--hiveconf",
                f"hive.server2.thrift.port={PORTS['thrift']}",
                "spark-internal",
            ],
            _port_open(PORTS["thrift"]),
            # the launcher gives the Thrift server SPARK_DAEMON_MEMORY as its driver's heap, not --driver-memory
            env={**spark_env, "SPARK_DAEMON_MEMORY": "768m", "HIVE_SERVER2_THRIFT_BIND_HOST": HOST},
            ready_timeout=300.0,
        )
    )
    celery = str(python.with_name("dagster-celery"))
    for index in range(CELERY_WORKERS):
        log = layout.logs / f"celery-worker-{index + 1}.log"
        found.append(
            Service(
                f"celery-worker-{index + 1}",
                [
                    celery,
                    "worker",
                    "start",
                    "--app",
                    "dagster_celery.app",
                    "--config-yaml",
                    str(layout.celery_config),
                    "--name",
                    f"ror-{index + 1}",
                    "--loglevel",
                    "INFO",
                    # one step at a time per worker; each step runs in the worker's own child process
                    "--",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                ],
                _log_says(log, "ready."),
                # dagster-celery starts `celery` by name: the venv's
                env={
                    "DAGSTER_HOME": str(layout.dagster_home),
                    "PATH": os.pathsep.join([str(python.parent), os.environ.get("PATH", os.defpath)]),
                },
            )
        )
    # last: the runs it launches need every other service
    found.append(
        Service(
            "dagster-daemon",
            [str(python.with_name("dagster-daemon")), "run", "-w", str(WORKSPACE_FILE)],
            _log_says(layout.logs / "dagster-daemon.log", "Instance is configured with the following daemons"),
            # its code location, and the runs it launches, are the cluster's: its instance and deployment
            env={
                "DAGSTER_HOME": str(layout.dagster_home),
                "ROR_DEPLOYMENT": str(layout.deployment),
                "ROR_ENRICH_WORKERS": str(CELERY_WORKERS),
                "PATH": os.pathsep.join([str(python.parent), os.environ.get("PATH", os.defpath)]),
            },
            ready_timeout=300.0,
        )
    )
    return found


def celery_executor_config() -> dict:
    """dagster-celery's executor config, shared by the workers (--config-yaml) and the refresh's executor. A task
    is acknowledged when it ends, so one whose worker died goes back to the queue for another worker."""
    return {
        "broker": redis_url(0),
        "backend": redis_url(1),
        "config_source": {
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
        },
    }


def dagster_instance_yaml() -> str:
    """The cluster's Dagster instance: runs, events and schedules in PostgreSQL; the project's run queue rule (one
    refresh per warehouse); warehouse steps one at a time across all workers (pool WAREHOUSE_POOL, limit 1)."""
    database = {
        "postgres_db": {
            "hostname": HOST,
            "port": PORTS["postgres"],
            "db_name": "dagster",
            "username": POSTGRES_USER,
            "password": "",
            # SQLAlchemy 2.1's default driver is psycopg 3; dagster-postgres installs psycopg2
            "scheme": "postgresql+psycopg2",
        }
    }
    config = {
        "telemetry": {"enabled": False},
        "storage": {"postgres": database},
        "run_coordinator": {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"},
        "concurrency": {
            "runs": {
                "tag_concurrency_limits": [
                    {"key": WAREHOUSE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
                ]
            },
            # per step, not per run: the warehouse steps of one run wait for each other on the workers
            "pools": {"default_limit": 1, "granularity": "op"},
        },
        "run_monitoring": {"enabled": True, "start_timeout_seconds": 300, "poll_interval_seconds": 60},
    }
    return "# Written by `make cluster-up` (cluster/services.py).\n" + json.dumps(config, indent=2) + "\n"


def deployment_config(layout: Layout) -> dict:
    """What a refresh pointed at this cluster reads (ROR_DEPLOYMENT): its step executor and where dbt runs."""
    return {
        "executor": {"celery": celery_executor_config()},
        # `ror refresh` submits its run to the instance's queue; the cluster's dagster-daemon launches it
        "runs": "queue",
        "dbt": {
            "spark": {
                "conf": {**application_conf(), **metastore_conf(layout), "spark.driver.memory": "1g"},
                "thrift": {"host": HOST, "port": PORTS["thrift"]},
            }
        },
    }


def write_configuration(layout: Layout) -> None:
    """The files a refresh, the workers and a shell are pointed at the cluster with (JSON is YAML)."""
    layout.dagster_home.mkdir(parents=True, exist_ok=True)
    (layout.dagster_home / "dagster.yaml").write_text(dagster_instance_yaml())
    # the workers read the executor config from a run config's place in it
    worker_config = {"execution": {"config": celery_executor_config()}}
    layout.celery_config.write_text(json.dumps(worker_config, indent=2) + "\n")
    layout.deployment.write_text(json.dumps(deployment_config(layout), indent=2) + "\n")
    layout.env_file.write_text(
        "# `. .cluster/env` points `ror` and Dagster's tools at the cluster (written by make cluster-up).\n"
        f"export DAGSTER_HOME={layout.dagster_home}\n"
        f"export ROR_DEPLOYMENT={layout.deployment}\n"
        # the pending texts in one hash bucket per Celery worker, scored side by side
        f"export ROR_ENRICH_WORKERS={CELERY_WORKERS}\n"
        # `make bi` serves the dashboards on the marts of the cluster's Spark SQL endpoint
        f"export ROR_BI_SPARK_ENDPOINT={bi_endpoint()}\n"
    )


# Statements that make the metastore create every table a dbt build uses (databases, tables, partitions, views,
# their parameters and privileges), in one session, before any dbt session connects.
METASTORE_WARM_UP = """
create database if not exists ror_cluster_warm_up;
create table ror_cluster_warm_up.t (a int, d string) using parquet partitioned by (d);
insert into ror_cluster_warm_up.t values (1, 'x');
insert overwrite table ror_cluster_warm_up.t partition (d = 'x') select 2;
alter table ror_cluster_warm_up.t set tblproperties ('ror' = 'warm-up');
create table ror_cluster_warm_up.c using parquet as select * from ror_cluster_warm_up.t;
create or replace view ror_cluster_warm_up.v as select * from ror_cluster_warm_up.t;
drop database ror_cluster_warm_up cascade;
"""


def warm_up_metastore(layout: Layout) -> None:
    """Create the metastore's tables through the Thrift endpoint, once per cluster folder."""
    marker = layout.spark / "metastore-created"
    if marker.exists():
        return
    script = layout.spark / "metastore-warm-up.sql"
    script.write_text(METASTORE_WARM_UP)
    beeline = [str(SPARK_HOME / "bin" / "beeline"), "-u", f"jdbc:hive2://{HOST}:{PORTS['thrift']}", "-n", POSTGRES_USER]
    _check([*beeline, "-f", str(script)], layout.logs / "metastore-warm-up.log", "creating the metastore's tables")
    marker.touch()


def _pid_file(layout: Layout, name: str) -> Path:
    return layout.pids / f"{name}.pid"


def running_pid(layout: Layout, name: str) -> int | None:
    """The pid of the service's process group leader, if it is still alive."""
    path = _pid_file(layout, name)
    if not path.exists():
        return None
    pid = int(path.read_text().strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _group_members(pgid: int) -> list[int]:
    """The live processes of a process group (zombies, dead already, do not count), from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after its last ")"
        state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _reap(pid: int) -> None:
    """Collect our own child's exit status (`up` rolling back), so it leaves no zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _prepare_folders(layout: Layout) -> None:
    for folder in (layout.pids, layout.logs, layout.redis_data, layout.spark / "conf", layout.spark / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    layout.spark_warehouse.mkdir(parents=True, exist_ok=True)
    owner = _postgres_owner()
    layout.postgres_sockets.mkdir(exist_ok=True)
    if owner:
        shutil.chown(layout.postgres_sockets, owner, owner)


def _init_postgres(layout: Layout) -> None:
    """A new PostgreSQL data folder (once): role POSTGRES_USER, trusted on 127.0.0.1 and the socket only."""
    if (layout.postgres_data / "PG_VERSION").exists():
        return
    owner = _postgres_owner()
    layout.postgres_data.mkdir(parents=True, exist_ok=True)
    if owner:
        user = pwd.getpwnam(owner)
        os.chown(layout.postgres_data, user.pw_uid, user.pw_gid)
        _check_reachable_by(owner, layout.postgres_data)
    initdb = [str(POSTGRES_BIN / "initdb"), "-D", str(layout.postgres_data), "-U", POSTGRES_USER]
    initdb += ["--auth-local=trust", "--auth-host=trust", "--encoding=UTF8", "--no-instructions"]
    _check(_run_as(owner, initdb), layout.logs / "initdb.log", "initdb")
    # trust only from this machine: listen_addresses is 127.0.0.1, and pg_hba admits nothing else
    (layout.postgres_data / "pg_hba.conf").write_text(f"local all all trust\nhost all all {HOST}/32 trust\n")


def _check_reachable_by(user: str, folder: Path) -> None:
    """ClusterError saying what to do when ``user`` cannot write ``folder``: a folder above it closed to other users
    (a checkout under a private temporary folder, mode 700) stops initdb with no more than "Permission denied"."""
    if subprocess.run(_run_as(user, ["test", "-w", str(folder)]), capture_output=True).returncode != 0:
        raise ClusterError(
            f"PostgreSQL runs as the system user {user} (initdb refuses root), which cannot reach {folder}: a folder "
            "above it is closed to other users. Let every user pass through the folders above it (chmod o+x) or put "
            "the checkout elsewhere, then run `cluster up` again."
        )


def _create_databases(layout: Layout) -> None:
    psql = [str(POSTGRES_BIN / "psql"), "-h", HOST, "-p", str(PORTS["postgres"]), "-U", POSTGRES_USER]
    for database in DATABASES:
        exists = subprocess.run(
            [*psql, "-d", "postgres", "-tAc", f"select 1 from pg_database where datname = '{database}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            _check([*psql, "-d", "postgres", "-c", f"create database {database}"], layout.logs / "psql.log", "psql")


def _check(argv: list[str], log: Path, what: str) -> None:
    with log.open("a") as out:
        if subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise ClusterError(f"{what} failed: see {log}")


def _start(layout: Layout, service: Service, base_env: dict[str, str]) -> None:
    if running_pid(layout, service.name) is not None:
        return
    log = layout.logs / f"{service.name}.log"
    log.write_text("")
    with log.open("ab") as out:
        process = subprocess.Popen(
            service.argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**base_env, **service.env},
            cwd=layout.root,
            start_new_session=True,  # its own process group: `down` stops it and everything it started
        )
    _pid_file(layout, service.name).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + service.ready_timeout
    while not service.ready():
        if process.poll() is not None:
            raise ClusterError(f"{service.name} exited at start (status {process.returncode}): see {log}")
        if time.monotonic() > deadline:
            raise ClusterError(f"{service.name} not ready after {service.ready_timeout:.0f} s: see {log}")
        time.sleep(0.5)


def _stop(layout: Layout, service: Service) -> bool:
    """Stop the service's whole process group; True when something was running."""
    pid_file = _pid_file(layout, service.name)
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().strip())
    stopped = bool(_group_members(pid))
    if stopped:
        if service.stop is not None:
            subprocess.run(service.stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while _group_members(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.2)
        for member in _group_members(pid):
            os.kill(member, signal.SIGKILL)
    _reap(pid)
    pid_file.unlink()
    return stopped


def up(layout: Layout, python: Path, base_env: dict[str, str], say: Callable[[str], None]) -> None:
    """Start every service not yet running, in order; on a failure, stop what this call started and raise."""
    _prepare_folders(layout)
    write_configuration(layout)
    _init_postgres(layout)
    started: list[Service] = []
    try:
        for service in services(layout, python):
            if running_pid(layout, service.name) is None:
                say(f"starting {service.name}")
                started.append(service)
                _start(layout, service, base_env)
            if service.name == "postgres":
                _create_databases(layout)
            if service.name == "spark-thrift":
                warm_up_metastore(layout)
    except BaseException:
        for service in reversed(started):
            _stop(layout, service)
        raise


def down(layout: Layout, python: Path, say: Callable[[str], None]) -> None:
    """Stop every service `up` started, in the reverse order."""
    for service in reversed(services(layout, python)):
        if _stop(layout, service):
            say(f"stopped {service.name}")


def status(layout: Layout, python: Path) -> dict[str, int | None]:
    """Each service's pid, None where it is not running."""
    return {service.name: running_pid(layout, service.name) for service in services(layout, python)}
