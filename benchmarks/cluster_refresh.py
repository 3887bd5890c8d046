"""A refresh on the cluster in a box against the same refresh in one process, on the same generated year:
``python -m benchmarks.cluster_refresh [--interactions 100000] [--work FOLDER]`` (BENCHMARKS.md, "The cluster in a
box"). No cluster may be up: this starts its own in ``<work>/cluster`` (ROR_CLUSTER_DIR, the fixed ports of
cluster/services.py), so a first `up` (initdb, the metastore's tables) and an empty Spark warehouse.

In order: generate the year (``benchmarks.run``'s generator), `cluster up` (timed), ``ror refresh`` pointed at the
cluster by its ``env`` file (steps on the Celery workers, dbt on Spark, the run through the instance's queue), `cluster
down` (timed), then the same refresh in one process (DuckDB, the cluster stopped so that its JVMs take no CPU);
``--only`` measures one side. Each
refresh: wall time, each stage's seconds from the run's step stats (``benchmarks.run.read_run``), the time its run
waited in the queue, and dbt's node times by kind from run_results.json. The load average is taken before each part.
Results in ``<work>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from benchmarks.measure import run_measured
from benchmarks.run import BIN, PROJECT_ROOT, _generate, _newest_run_results, dbt_model_times, read_run
from orchestration.settings import dbt_folder_for


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def _cluster(command: str, env: dict[str, str], log: Path) -> float:
    """``python -m cluster up|down``: its seconds; raises when it fails."""
    started = time.perf_counter()
    with log.open("a") as out:
        subprocess.run([sys.executable, "-m", "cluster", command], env=env, stdout=out, stderr=out, check=True)
    return round(time.perf_counter() - started, 1)


def _exported(env_file: Path) -> dict[str, str]:
    """What `. .cluster/env` exports."""
    return dict(line.removeprefix("export ").split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)


def _queue_wait(home: Path, run_id: str) -> float | None:
    """Seconds between the run's submission to the queue and its start (the daemon's launch, the run worker's start)."""
    from dagster import DagsterEventType, DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        times = {}
        for kind in (DagsterEventType.RUN_ENQUEUED, DagsterEventType.RUN_START):
            records = instance.all_logs(run_id, of_type=kind)
            times[kind] = records[0].timestamp if records else None
    enqueued, started = times[DagsterEventType.RUN_ENQUEUED], times[DagsterEventType.RUN_START]
    return round(started - enqueued, 1) if enqueued and started else None


def dbt_nodes_by_kind(run_results: Path | None) -> dict:
    """dbt's elapsed time and, per kind of node (model, test, seed), how many and their summed and mean seconds."""
    if run_results is None:
        return {}
    results = json.loads(run_results.read_text("utf-8"))
    kinds: dict[str, list[float]] = {}
    for node in results["results"]:
        kinds.setdefault(node["unique_id"].split(".")[0], []).append(node.get("execution_time") or 0.0)
    return {
        "elapsed_seconds": round(results.get("elapsed_time", 0.0), 1),
        "kinds": {
            kind: {"nodes": len(times), "seconds": round(sum(times), 1), "mean": round(sum(times) / len(times), 2)}
            for kind, times in sorted(kinds.items())
        },
    }


def measured_refresh(
    env: dict[str, str],
    home: Path,
    exports: Path,
    work: Path,
    partition: str,
    timeout: float,
    on_spark: bool,
) -> dict:
    warehouse = work / "warehouse" / "ror.duckdb"
    command = [str(BIN / "ror"), "refresh", "--landing", str(exports / "landing"), "--warehouse", str(warehouse)]
    command += ["--partition", partition, "--config", str(exports / "ror.yaml"), "--settle-seconds", "0"]
    load, began = _load(), time.time()
    measured = run_measured(command, env, PROJECT_ROOT, work / "refresh.log", timeout)
    run = read_run(home)
    run.pop("steps", None)
    run_results = _newest_run_results(dbt_folder_for(warehouse, on_spark=on_spark) / "target", began)
    result = {
        "load_average_before": load,
        "ok": measured.returncode == 0,
        "seconds": round(measured.seconds, 1),
        "startup_and_other_seconds": round(measured.seconds - sum(run.get("stage_seconds", {}).values()), 1),
        **run,
        "queue_wait_seconds": _queue_wait(home, run["run_id"]) if run.get("run_id") else None,
        "dbt": dbt_nodes_by_kind(run_results),
        "dbt_slowest": dbt_model_times(run_results, top=8),
    }
    if not result["ok"]:
        result["output_tail"] = measured.output_tail
    return result


def on_the_cluster(exports: Path, work: Path, partition: str, base: dict[str, str], timeout: float) -> dict:
    """`cluster up` (timed), the refresh on it, `cluster down` (timed)."""
    cluster_env = {**base, "ROR_CLUSTER_DIR": str(work / "cluster")}
    log = work / "cluster.log"
    results = {"cluster_up": {"load_average_before": _load(), "seconds": _cluster("up", cluster_env, log)}}
    try:
        on_cluster = {**cluster_env, **_exported(work / "cluster" / "env")}
        home = Path(on_cluster["DAGSTER_HOME"])
        results["refresh"] = measured_refresh(
            on_cluster, home, exports, work / "on_cluster", partition, timeout, on_spark=True
        )
    finally:
        results["cluster_down"] = {"seconds": _cluster("down", cluster_env, log)}
    return results


def in_one_process(exports: Path, work: Path, partition: str, base: dict[str, str], timeout: float) -> dict:
    home = work / "one_process" / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    alone = {**base, "DAGSTER_HOME": str(home)}
    return {"refresh": measured_refresh(alone, home, exports, work / "one_process", partition, timeout, on_spark=False)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cluster_refresh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=100_000, help="interactions over the generated year")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--exports", type=Path, help="an already generated folder (landing/, ror.yaml) to reuse")
    parser.add_argument("--only", choices=("cluster", "one_process"), help="measure only this side")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "data" / "benchmarks" / "cluster")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds either refresh may take")
    args = parser.parse_args(argv)
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    results: dict = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "load_average": _load()}
    exports = args.exports
    if exports is None:
        exports = args.work / "exports"
        results["generate"] = _generate(exports, args.interactions, args.days)
    partition = _last_day(exports)
    base = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONWARNINGS": "ignore"}
    sides = {"cluster": on_the_cluster, "one_process": in_one_process}
    for side in [args.only] if args.only else list(sides):
        results[side] = sides[side](exports, args.work, partition, base, args.timeout)
        (args.work / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", "utf-8")
    print(json.dumps(results, indent=2, default=str))
    return 0 if all(results[side]["refresh"]["ok"] for side in sides if side in results) else 1


def _last_day(exports: Path) -> str:
    """The latest day folder of a generated landing folder (beside its setup/): the partition its refresh is of."""
    days = [p.name for p in (exports / "landing").iterdir() if p.is_dir() and p.name[:1].isdigit()]
    return max(date.fromisoformat(day) for day in days).isoformat()


if __name__ == "__main__":
    sys.exit(main())
