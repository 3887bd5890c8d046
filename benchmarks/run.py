"""The scale benchmark suite: ``python -m benchmarks.run [--scale small|full] [--only ...]`` (or ``make benchmark``).

Each measure runs on this machine, in one go, and lands in ``<out>/results.json`` and ``<out>/results.md``:

- ``refresh``: ``ror refresh`` end to end on generated exports of N interactions (a first refresh of an empty
  warehouse), its wall time, the peak memory of its whole process tree, and each stage's share of the time and its
  own peak memory, read from the Dagster run's step stats (configuration, ingest, enrichment, themes, dbt, checks,
  publish, report; the rest is start-up and between steps: Python imports, dbt parse, Dagster's instance and the
  events it stores);
- ``add_day``: one more day (same daily volume) refreshed on top of 7 days of history and on top of 365 days;
- ``dbt``: ``dbt build`` over M already-enriched interactions synthesised in DuckDB (full refresh, then an incremental
  run for one new day), without unit tests as in a refresh, with the slowest models from dbt's run_results.json;
- enrichment texts/s inside each refresh and the texts the cache spared.

Every run works in a fresh folder (``--work``), with its own Dagster instance; commands run under ``nice`` so a
shared machine stays usable. Sizes: ``--scale full`` is what BENCHMARKS.md reports (100k and 1M interactions, 548
interactions a day for the add-a-day runs, 10M for dbt); ``--scale small`` is the same suite in a few minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil

from benchmarks.measure import Measured, run_measured
from benchmarks.synthetic import add_synthetic_day, build_synthetic_warehouse
from orchestration.dbt_project import write_profile
from orchestration.settings import Settings, dbt_folder_for

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
BIN = Path(sys.executable).parent
START = date(2025, 1, 1)
STAGES = ("configuration", "ingest", "enrichment", "themes", "dbt", "checks", "publish", "report")
OUTSIDE_STEPS = "start-up & other"
# Step key (or its prefix) -> stage; any other step is an asset check's outside dbt (dbt's tests run in its step).
STAGE_OF_STEP = {
    "configuration_tables": "configuration",
    "extract__": "ingest",  # the API pulls (--pull) feed the landing folder
    "raw_exports": "ingest",
    "enrichment__text_enrichment": "enrichment",
    "interaction_themes": "themes",
    "ror_dbt_models": "dbt",
    "serving_warehouse": "publish",
    "ror_report": "report",
}


@dataclass(frozen=True)
class Scale:
    refresh_sizes: tuple[int, ...]
    refresh_days: int
    daily_volume: int  # for the add-a-day runs
    history_days: tuple[int, ...]
    dbt_rows: int


SCALES = {
    "small": Scale(
        refresh_sizes=(2_000, 10_000), refresh_days=14, daily_volume=20, history_days=(7, 365), dbt_rows=100_000
    ),
    "full": Scale(
        refresh_sizes=(100_000, 1_000_000),
        refresh_days=365,
        daily_volume=548,
        history_days=(7, 365),
        dbt_rows=10_000_000,
    ),
}


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONWARNINGS": "ignore",
    }


def _nice(command: list[str]) -> list[str]:
    return ["nice", "-n", "10", *command] if shutil.which("nice") else command


def _generate(out: Path, interactions: int, days: int) -> dict:
    from generators import generate_exports

    started = time.perf_counter()
    report = generate_exports(out, interactions=interactions, days=days, seed=7, start=START)
    return {
        "days_generated": report.days_generated,
        "interactions_written": report.interactions_written,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _newest_run_results(dbt_target: Path, since: float) -> Path | None:
    candidates = [p for p in dbt_target.rglob("run_results.json") if p.stat().st_mtime >= since]
    return max(candidates, key=lambda p: p.stat().st_mtime, default=None)


def dbt_model_times(run_results: Path | None, top: int = 12) -> list[dict]:
    """The slowest nodes of one dbt invocation (models, tests, seeds), from its run_results.json."""
    if run_results is None:
        return []
    results = json.loads(run_results.read_text("utf-8"))["results"]
    ranked = sorted(results, key=lambda r: r.get("execution_time") or 0, reverse=True)
    return [
        {"node": r["unique_id"], "seconds": round(r.get("execution_time") or 0, 2), "status": r.get("status")}
        for r in ranked[:top]
    ]


def _stage(step_key: str) -> str:
    return next((stage for prefix, stage in STAGE_OF_STEP.items() if step_key.startswith(prefix)), "checks")


def stage_peaks(samples: tuple[tuple[float, int], ...], steps: list[dict]) -> dict[str, float]:
    """The tree's peak memory (GiB) while each stage's steps ran, and outside every step (OUTSIDE_STEPS): which stage
    holds a refresh's peak. A sample inside two steps at once (parallel buckets) counts for both stages."""
    peaks: dict[str, int] = {}
    for at, rss in samples:
        stages = {step["stage"] for step in steps if step["start"] <= at <= step["end"]} or {OUTSIDE_STEPS}
        for stage in stages:
            peaks[stage] = max(peaks.get(stage, 0), rss)
    order = [*STAGES, OUTSIDE_STEPS]
    return {stage: round(peaks[stage] / 2**30, 2) for stage in order if stage in peaks}


def _metadata_value(entry) -> object:
    return getattr(entry, "value", entry)


def read_run(home: Path) -> dict:
    """The latest Dagster run under ``home``: seconds per stage and each step's time span (from step stats), and the
    enrichment's metadata."""
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        run = runs[0]
        stages = dict.fromkeys(STAGES, 0.0)
        steps = []
        for stats in instance.get_run_step_stats(run.run_id):
            if stats.start_time and stats.end_time:
                stage = _stage(stats.step_key)
                stages[stage] += stats.end_time - stats.start_time
                steps.append({"step": stats.step_key, "stage": stage, "start": stats.start_time, "end": stats.end_time})
        event = instance.get_latest_materialization_event(AssetKey(["enrichment", "text_enrichment"]))
        enrichment = {}
        if event is not None and event.run_id == run.run_id and event.asset_materialization is not None:
            metadata = event.asset_materialization.metadata
            enrichment = {
                key: _metadata_value(metadata[key])
                for key in ("unique_texts", "texts_encoded", "texts_from_cache", "encode_seconds", "texts_per_second")
                if key in metadata
            }
        return {
            "run_id": run.run_id,
            "status": str(run.status.value),
            "stage_seconds": {k: round(v, 1) for k, v in stages.items()},
            "steps": steps,
            "enrichment": enrichment,
        }


def _raw_rows(warehouse: Path) -> dict[str, int]:
    import duckdb

    work = warehouse.with_name(f"{warehouse.stem}.work.duckdb")
    if not work.exists():
        return {}
    with duckdb.connect(str(work), read_only=True) as con:
        interactions, texts = con.execute("select count(*), count(distinct text_hash) from raw.interactions").fetchone()
    return {"raw_interactions": interactions, "unique_texts": texts}


def refresh(landing: Path, work: Path, partition: str, label: str, timeout: float) -> dict:
    """``ror refresh`` on ``landing`` (with the generator's ror.yaml beside it) into ``work``'s warehouse, measured.
    Files are taken as soon as written (no settle time): the generator finished before the refresh starts."""
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    warehouse = work / "warehouse" / "ror.duckdb"
    arguments = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse), "--partition", partition]
    arguments += ["--config", str(landing.parent / "ror.yaml"), "--settle-seconds", "0"]
    command = _nice([str(BIN / "ror"), *arguments])
    began = time.time()
    measured = run_measured(command, _env(home), PROJECT_ROOT, work / f"{label}.log", timeout)
    run = read_run(home)
    stage_total = sum(run.get("stage_seconds", {}).values())
    result = {
        "label": label,
        "ok": measured.returncode == 0,
        "seconds": round(measured.seconds, 1),
        "peak_rss_gib": round(measured.peak_rss_gib, 2),
        "startup_and_other_seconds": round(measured.seconds - stage_total, 1),
        **run,
        "stage_peak_rss_gib": stage_peaks(measured.samples, run.get("steps", [])),
        **_raw_rows(warehouse),
        "dbt_slowest": dbt_model_times(_newest_run_results(dbt_folder_for(warehouse) / "target", began)),
    }
    if not result["ok"]:
        result["output_tail"] = measured.output_tail
    return result


def bench_refresh(scale: Scale, work: Path, sizes: tuple[int, ...], timeout: float) -> list[dict]:
    results = []
    for size in sizes:
        folder = work / f"refresh_{size}"
        generated = _generate(folder / "exports", size, scale.refresh_days)
        last_day = (START + timedelta(days=scale.refresh_days - 1)).isoformat()
        result = refresh(folder / "exports" / "landing", folder, last_day, f"refresh_{size}", timeout)
        results.append({"interactions": size, "days": scale.refresh_days, "generate": generated, **result})
        _progress(results[-1])
    return results


def bench_add_day(scale: Scale, work: Path, history_days: tuple[int, ...], timeout: float) -> list[dict]:
    results = []
    for history in history_days:
        folder = work / f"add_day_{history}"
        exports = folder / "exports"
        _generate(exports, scale.daily_volume * history, history)
        history_run = refresh(
            exports / "landing", folder, (START + timedelta(days=history - 1)).isoformat(), "history", timeout
        )
        added = _generate(exports, scale.daily_volume * history, history + 1)
        new_day = (START + timedelta(days=history)).isoformat()
        day_run = refresh(exports / "landing", folder, new_day, f"add_day_on_{history}", timeout)
        results.append(
            {
                "history_days": history,
                "daily_volume": scale.daily_volume,
                "history_refresh_seconds": history_run["seconds"],
                "history_ok": history_run["ok"],
                "added_interactions": added["interactions_written"],
                **day_run,
            }
        )
        _progress(results[-1])
    return results


def bench_dbt(scale: Scale, work: Path, rows: int, timeout: float) -> dict:
    folder = work / "dbt"
    database = folder / "ror.work.duckdb"
    started = time.perf_counter()
    built = build_synthetic_warehouse(database, rows, folder / "template")
    synthesis_seconds = round(time.perf_counter() - started, 1)
    env = _env(folder / "dagster_home")
    limits = Settings.from_env().with_paths(warehouse=database).duckdb_limits()  # ROR_DUCKDB_MEMORY_LIMIT, as a refresh
    profiles = write_profile(folder, database, limits).parent  # as a refresh names its working database to dbt
    target = folder / "target"

    def dbt(label: str, *args: str) -> tuple[Measured, list[dict]]:
        command = _nice(
            [
                str(BIN / "dbt"),
                "build",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(profiles),
                "--target-path",
                str(target / label),
                # as in a refresh (orchestration/assets/dbt.py): unit tests run in CI, not on the data
                "--exclude",
                "test_type:unit",
                *args,
            ]
        )
        measured = run_measured(command, env, PROJECT_ROOT, folder / f"{label}.log", timeout)
        return measured, dbt_model_times(target / label / "run_results.json")

    full, full_slowest = dbt("full", "--full-refresh")
    new_day = add_synthetic_day(database, built)
    window = {"min_date": new_day.isoformat(), "max_date": (new_day + timedelta(days=1)).isoformat()}
    incremental, incremental_slowest = dbt("incremental", "--vars", json.dumps(window))
    result = {
        "interactions": built.rows,
        "days": built.days,
        "synthesis_seconds": synthesis_seconds,
        "full": _dbt_result(full, full_slowest),
        "incremental": _dbt_result(incremental, incremental_slowest),
    }
    _progress({"label": "dbt full", **result["full"]})
    _progress({"label": "dbt incremental", **result["incremental"]})
    return result


def _dbt_result(measured: Measured, slowest: list[dict]) -> dict:
    result = {
        "ok": measured.returncode == 0,
        "seconds": round(measured.seconds, 1),
        "peak_rss_gib": round(measured.peak_rss_gib, 2),
        "slowest": slowest,
    }
    if not result["ok"]:
        result["output_tail"] = measured.output_tail
    return result


def _progress(result: dict) -> None:
    keys = ("label", "ok", "seconds", "peak_rss_gib", "stage_seconds", "stage_peak_rss_gib")
    brief = {k: result[k] for k in keys if k in result}
    print(json.dumps(brief), file=sys.stderr, flush=True)


def machine() -> dict:
    load1, load5, load15 = os.getloadavg()
    return {
        "cpus": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(load1, 1), round(load5, 1), round(load15, 1)],
    }


def markdown(results: dict) -> str:
    lines = [f"Measured {results['measured_at']} with `{results['command']}`", ""]
    m = results["machine"]
    lines += [
        f"Machine: {m['cpus']} CPUs, {m['memory_gib']} GiB, {m['platform']}, Python {m['python']}; "
        f"load average at start {m['load_average_at_start']}.",
        "",
    ]
    if results.get("refresh"):
        lines += _refresh_header("refresh (empty warehouse)")
        for r in results["refresh"]:
            lines.append(_refresh_row(f"{r['interactions']:,} interactions / {r['days']} days", r))
        lines.append("")
    if results.get("add_day"):
        lines += _refresh_header("one more day")
        for r in results["add_day"]:
            label = f"{r['added_interactions']:,} new on {r['history_days']} days ({r['daily_volume']}/day)"
            lines.append(_refresh_row(label, r))
        ratio = results.get("add_day_ratio")
        if ratio is not None:
            lines += ["", f"One more day on 365 days costs {ratio:.2f}x one more day on 7 days."]
        lines.append("")
    if results.get("dbt"):
        d = results["dbt"]
        lines += [
            "| dbt build over enriched interactions | wall | peak memory (tree) | slowest nodes |",
            "|---|---|---|---|",
        ]
        for mode in ("full", "incremental"):
            r = d[mode]
            slowest = ", ".join(f"{n['node'].split('.')[-1]} {n['seconds']}s" for n in r["slowest"][:5])
            status = "" if r["ok"] else " (FAILED)"
            lines.append(
                f"| {d['interactions']:,} / {d['days']} days, {mode}{status} | {r['seconds']} s | "
                f"{r['peak_rss_gib']} GiB | {slowest} |"
            )
        lines.append("")
    return "\n".join(lines)


def _refresh_header(title: str) -> list[str]:
    columns = [title, "wall", "peak memory (tree), in", *STAGES, OUTSIDE_STEPS, "texts encoded", "texts/s"]
    columns.append("texts from cache")
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]


def _refresh_row(label: str, r: dict) -> str:
    stages = r.get("stage_seconds", {})
    enrichment = r.get("enrichment", {})
    wall = r["seconds"] or 1
    shares = [f"{stages.get(s, 0)} s ({100 * stages.get(s, 0) / wall:.0f}%)" for s in STAGES]
    status = "" if r["ok"] else " (FAILED)"
    peaks = r.get("stage_peak_rss_gib", {})
    held_by = f", {max(peaks, key=peaks.get)}" if peaks else ""
    return (
        f"| {label}{status} | {r['seconds']} s | {r['peak_rss_gib']} GiB{held_by} | {' | '.join(shares)} | "
        f"{r['startup_and_other_seconds']} s | {enrichment.get('texts_encoded', '-')} | "
        f"{enrichment.get('texts_per_second', '-')} | {enrichment.get('texts_from_cache', '-')} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", nargs="+", choices=("refresh", "add_day", "dbt"), help="run only these measures")
    parser.add_argument("--sizes", nargs="+", type=int, help="refresh sizes instead of the scale's")
    parser.add_argument("--history-days", nargs="+", type=int, help="add-a-day histories instead of 7 and 365")
    parser.add_argument("--dbt-rows", type=int, help="interactions for the dbt measure instead of the scale's")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "data" / "benchmarks", help="scratch folder")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "results", help="results folder")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds any one command may take")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    only = set(args.only or ("refresh", "add_day", "dbt"))
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    results: dict = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "scale": args.scale,
        "machine": machine(),
        "scale_settings": asdict(scale),
    }
    if "refresh" in only:
        results["refresh"] = bench_refresh(scale, args.work, tuple(args.sizes or scale.refresh_sizes), args.timeout)
    if "add_day" in only:
        history_days = tuple(args.history_days or scale.history_days)
        results["add_day"] = bench_add_day(scale, args.work, history_days, args.timeout)
        by_history = {r["history_days"]: r["seconds"] for r in results["add_day"]}
        if 7 in by_history and 365 in by_history and by_history[7]:
            results["add_day_ratio"] = round(by_history[365] / by_history[7], 2)
    if "dbt" in only:
        results["dbt"] = bench_dbt(scale, args.work, args.dbt_rows or scale.dbt_rows, args.timeout)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", "utf-8")
    table = markdown(results)
    (args.out / "results.md").write_text(table + "\n", "utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
