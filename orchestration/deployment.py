"""Where a refresh runs beyond one machine: the deployment file ROR_DEPLOYMENT names (the cluster in a box writes
one: `make cluster-up`, cluster/services.py), read once at the edge (orchestration.settings) into a ``Deployment``.

    executor:
      celery: {broker: ..., backend: ..., config_source: {...}}   # dagster-celery's executor config: steps on workers
    dbt:
      spark:
        conf: {spark.master: spark://..., ...}    # dbt's Spark session on the cluster (dbt-spark, method session)

Either part may be left out: no ``executor`` keeps the in-process or multiprocess executor, no ``dbt`` keeps dbt on
DuckDB. Without the file, everything runs on this machine, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml


class DeploymentError(ValueError):
    """The deployment file is missing or malformed; the message names the file and the part."""


@dataclass(frozen=True)
class Deployment:
    # dagster-celery's executor config (broker, backend, config_source); None: steps on this machine
    celery: Mapping | None = None
    # Spark settings of dbt's session on the cluster (spark.master, the metastore, the warehouse folder); None: DuckDB
    spark_conf: Mapping[str, str] | None = None
    # `ror refresh` submits its run to the instance's run queue, for a dagster-daemon to launch; False: runs it itself
    queued_runs: bool = False

    def to_json(self) -> dict:
        return {"celery": self.celery, "spark_conf": self.spark_conf, "queued_runs": self.queued_runs}

    @classmethod
    def from_json(cls, values: Mapping | None) -> Deployment | None:
        if values is None:
            return None
        return cls(celery=values["celery"], spark_conf=values["spark_conf"], queued_runs=values["queued_runs"])


def load_deployment(path: Path) -> Deployment:
    """The deployment the file at ``path`` describes; DeploymentError saying what is wrong otherwise."""
    try:
        values = yaml.safe_load(path.read_text("utf-8")) or {}
    except OSError as error:
        raise DeploymentError(f"cannot read the deployment file {path}: {error.strerror}") from None
    except yaml.YAMLError:
        raise DeploymentError(f"the deployment file {path} is not valid YAML") from None
    if not isinstance(values, dict) or set(values) - {"executor", "dbt", "runs"}:
        raise DeploymentError(f"the deployment file {path} may hold only `executor:`, `dbt:` and `runs:`")
    if values.get("runs") not in (None, "queue", "here"):
        raise DeploymentError(f"{path}: runs must be `queue` (through the instance's run queue) or `here`")
    celery = (values.get("executor") or {}).get("celery")
    if celery is not None and not (isinstance(celery, dict) and isinstance(celery.get("broker"), str)):
        raise DeploymentError(f"{path}: executor.celery needs a broker URL")
    spark = (values.get("dbt") or {}).get("spark")
    spark_conf = None
    if spark is not None:
        conf = spark.get("conf") if isinstance(spark, dict) else None
        if not isinstance(conf, dict) or not isinstance(conf.get("spark.master"), str):
            raise DeploymentError(f"{path}: dbt.spark.conf needs spark.master")
        spark_conf = {str(name): str(value) for name, value in conf.items()}
    return Deployment(celery=celery, spark_conf=spark_conf, queued_runs=values.get("runs") == "queue")
