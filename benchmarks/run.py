"""The scale benchmark suite: ``python -m benchmarks.run [--scale small|full] [--only ...] [--baseline REF]`` (or
``make benchmark``).

Each measure runs on this machine, in one go, and lands in ``<out>/results.json`` and ``<out>/results.md``:

- ``refresh``: for N interactions over a year, ``ror refresh`` of an empty warehouse, then one more day generated at
  the same daily volume and refreshed on top: each one's wall time, the peak memory of its whole process tree, and each
  stage's share of the time and its own peak memory, read from the Dagster run's step stats (configuration, ingest,
  enrichment, themes, dbt, checks, publish, report; the rest is start-up and between steps: Python imports, dbt parse,
  Dagster's instance and the events it stores). Read down the sizes, it is how cost grows;
- ``add_day``: the same, at 548 interactions a day, on 7 days of history and on 365 days;
- ``dbt``: ``dbt build`` over M already-enriched interactions synthesised in DuckDB (full refresh, then an incremental
  run for one new day), without unit tests as in a refresh, with the slowest models from dbt's run_results.json;
- enrichment texts/s inside each refresh and the texts the cache spared.

``--baseline REF`` runs every command twice on the same input, first with that commit's code, then with this
checkout's, so old and new are timed on the same machine in one run; the marts both versions built are compared bit
for bit (``benchmarks/marts_digest.py``). Every run works in a fresh folder (``--work``), with its own Dagster
instance; commands run under ``nice`` so a shared machine stays usable. Sizes: ``--scale full`` is what
BENCHMARKS.md reports (10k, 100k and 1M interactions, 548 a day for the add-a-day runs, 10M for dbt);
``--scale small`` is the same suite in a few minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil

from benchmarks.marts_digest import differing_marts, marts_digest
from benchmarks.measure import run_measured
from benchmarks.synthetic import add_synthetic_day, build_synthetic_warehouse
from benchmarks.versions import CodeVersion, baseline, commit_of, this_checkout
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
        refresh_sizes=(10_000, 100_000, 1_000_000),
        refresh_days=365,
        daily_volume=548,
        history_days=(7, 365),
        dbt_rows=10_000_000,
    ),
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


def refresh(version: CodeVersion, landing: Path, work: Path, partition: str, label: str, timeout: float) -> dict:
    """``ror refresh`` of ``version`` on ``landing`` (with the generator's ror.yaml beside it) into ``work``'s
    warehouse, measured. Files are taken as soon as written (no settle time): the generator finished first."""
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    warehouse = work / "warehouse" / "ror.duckdb"
    arguments = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse), "--partition", partition]
    arguments += ["--config", str(landing.parent / "ror.yaml"), "--settle-seconds", "0"]
    # `ror` as its module, not the venv's entry script: that script names the Python it was installed with, which an
    # install from another checkout repoints (and the module is what `ror` runs anyway).
    command = _nice([sys.executable, "-m", "orchestration.cli", *arguments])
    began = time.time()
    measured = run_measured(command, version.env(home), version.root, work / f"{label}.log", timeout)
    run = read_run(home)
    stage_total = sum(run.get("stage_seconds", {}).values())
    result = {
        "label": label,
        "code": version.label,
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


def _serving(work: Path) -> Path:
    return work / "warehouse" / "ror.duckdb"


def _same_marts(databases: list[Path], schema: str = "marts") -> dict | None:
    """Whether every version built the same marts (None with one version, or when a build failed)."""
    if len(databases) < 2 or not all(d.exists() for d in databases):
        return None
    digests = [marts_digest(d, schema) for d in databases]
    differ = sorted({t for other in digests[1:] for t in differing_marts(digests[0], other)})
    return {"marts": len(digests[0]), "equal": not differ, "differ": differ}


def history_then_a_day(folder: Path, interactions: int, days: int, versions: list[CodeVersion], timeout: float) -> dict:
    """Generate ``days`` of exports holding ``interactions``, refresh an empty warehouse with them (each version its
    own), then generate one more day at the same daily volume and refresh again: the first refresh and one more day,
    on the same input for every version."""
    exports = folder / "exports"
    generated = _generate(exports, interactions, days)
    last_day, new_day = (START + timedelta(days=days - 1)).isoformat(), (START + timedelta(days=days)).isoformat()
    first = [
        _progress(refresh(v, exports / "landing", folder / v.slug, last_day, "first_refresh", timeout))
        for v in versions
    ]
    first_marts = _same_marts([_serving(folder / v.slug) for v in versions])
    added = _generate(exports, interactions, days + 1)
    day = [
        _progress(refresh(v, exports / "landing", folder / v.slug, new_day, "one_more_day", timeout)) for v in versions
    ]
    entry = {
        "interactions": generated["interactions_written"],
        "days": days,
        "generate": generated,
        "added_interactions": added["interactions_written"],
        "first_refresh": first,
        "one_more_day": day,
        "same_marts": {
            "first_refresh": first_marts,
            "one_more_day": _same_marts([_serving(folder / v.slug) for v in versions]),
        },
    }
    return entry


def bench_refresh(
    scale: Scale, work: Path, sizes: tuple[int, ...], versions: list[CodeVersion], timeout: float
) -> list[dict]:
    return [history_then_a_day(work / f"refresh_{size}", size, scale.refresh_days, versions, timeout) for size in sizes]


def bench_add_day(
    scale: Scale, work: Path, history_days: tuple[int, ...], versions: list[CodeVersion], timeout: float
) -> list[dict]:
    return [
        history_then_a_day(work / f"add_day_{days}", scale.daily_volume * days, days, versions, timeout)
        for days in history_days
    ]


def bench_dbt(scale: Scale, work: Path, rows: int, versions: list[CodeVersion], timeout: float) -> dict:
    """``dbt build`` of each version's project over the same synthesised warehouse (a copy each): full, then
    incremental for one new day."""
    folder = work / "dbt"
    synthesised = folder / "synthesised.duckdb"
    started = time.perf_counter()
    built = build_synthetic_warehouse(synthesised, rows, folder / "template")
    result: dict = {"interactions": built.rows, "days": built.days}
    result["synthesis_seconds"] = round(time.perf_counter() - started, 1)
    limits = (
        Settings.from_env().with_paths(warehouse=synthesised).duckdb_limits()
    )  # ROR_DUCKDB_MEMORY_LIMIT, as a refresh
    databases = {}
    for version in versions:
        own = folder / version.slug
        database = own / "ror.work.duckdb"
        own.mkdir(parents=True)
        shutil.copyfile(synthesised, database)
        databases[version.slug] = database
        profiles = write_profile(own, database, limits).parent  # as a refresh names its working database to dbt
        full = _dbt_build(version, own, profiles, "full", timeout, "--full-refresh")
        new_day = add_synthetic_day(database, built)
        window = {"min_date": new_day.isoformat(), "max_date": (new_day + timedelta(days=1)).isoformat()}
        incremental = _dbt_build(version, own, profiles, "incremental", timeout, "--vars", json.dumps(window))
        result.setdefault("full", []).append(full)
        result.setdefault("incremental", []).append(incremental)
        _progress({"label": "dbt full", **full})
        _progress({"label": "dbt incremental", **incremental})
    result["same_marts"] = _same_marts(list(databases.values()))
    return result


def _dbt_build(version: CodeVersion, own: Path, profiles: Path, label: str, timeout: float, *args: str) -> dict:
    target = own / "target" / label
    command = _nice(
        [
            str(BIN / "dbt"),
            "build",
            "--project-dir",
            str(version.dbt_project),
            "--profiles-dir",
            str(profiles),
            "--target-path",
            str(target),
            # as in a refresh (orchestration/assets/dbt.py): unit tests run in CI, not on the data
            "--exclude",
            "test_type:unit",
            *args,
        ]
    )
    measured = run_measured(command, version.env(own / "dagster_home"), version.root, own / f"{label}.log", timeout)
    result = {
        "code": version.label,
        "ok": measured.returncode == 0,
        "seconds": round(measured.seconds, 1),
        "peak_rss_gib": round(measured.peak_rss_gib, 2),
        "slowest": dbt_model_times(target / "run_results.json"),
    }
    if not result["ok"]:
        result["output_tail"] = measured.output_tail
    return result


def _progress(result: dict) -> dict:
    """Print one line of ``result`` to stderr as soon as it is measured; returns it."""
    keys = ("label", "code", "ok", "seconds", "peak_rss_gib", "stage_seconds", "stage_peak_rss_gib")
    brief = {k: result[k] for k in keys if k in result}
    print(json.dumps(brief), file=sys.stderr, flush=True)
    return result


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The processor's name (Linux): figures from machines with another processor are not compared, and the same
    number of cores can differ twofold in speed (the int8 encoder's graph between an Intel and an AMD EPYC here)."""
    if cpuinfo.exists():
        for line in cpuinfo.read_text("utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown processor"


def machine() -> dict:
    load1, load5, load15 = os.getloadavg()
    return {
        "cpu": cpu_model(),
        "cpus": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(load1, 1), round(load5, 1), round(load15, 1)],
    }


_REFRESH_COLUMNS = ["{what}", "code", "wall", "peak memory (tree), in", *STAGES, OUTSIDE_STEPS, "texts encoded"]
_REFRESH_COLUMNS += ["texts/s", "texts from cache"]
REFRESH_HEADER = ["| " + " | ".join(_REFRESH_COLUMNS) + " |", "|" + "---|" * len(_REFRESH_COLUMNS)]


def markdown(results: dict) -> str:
    lines = [f"Measured {results['measured_at']} with `{results['command']}`", ""]
    m = results["machine"]
    lines += [
        f"Machine: {m['cpus']} CPUs ({m.get('cpu', 'processor not recorded')}), {m['memory_gib']} GiB, "
        f"{m['platform']}, Python {m['python']}; "
        f"load average at start {m['load_average_at_start']}.",
        "",
    ]
    for measure, what in (("refresh", "interactions"), ("add_day", "history")):
        if results.get(measure):
            lines += [*(line.format(what=what) for line in REFRESH_HEADER)]
            for entry in results[measure]:
                lines += _history_rows(entry)
            lines += ["", *_marts_lines(results[measure]), ""]
    ratio = results.get("add_day_ratio")
    if ratio is not None:
        lines += [f"One more day on 365 days costs {ratio:.2f}x one more day on 7 days.", ""]
    if results.get("dbt"):
        lines += _dbt_rows(results["dbt"])
    return "\n".join(lines)


def _history_rows(entry: dict) -> list[str]:
    history = f"{entry['interactions']:,} / {entry['days']} days"
    rows = [_refresh_row(f"{history}: first refresh", r) for r in entry["first_refresh"]]
    rows += [
        _refresh_row(f"{history}: one more day ({entry['added_interactions']:,} new)", r) for r in entry["one_more_day"]
    ]
    return rows


def _marts_lines(entries: list[dict]) -> list[str]:
    lines = []
    for entry in entries:
        for phase, same in entry.get("same_marts", {}).items():
            if same is not None:
                after = f"After the {phase.replace('_', ' ')} of {entry['interactions']:,} interactions"
                lines.append(f"- {after}, {_verdict(same)}")
    return lines


def _verdict(same: dict) -> str:
    if same["equal"]:
        return f"the {same['marts']} marts of both versions are equal."
    return f"of the {same['marts']} marts, these DIFFER between the versions: {', '.join(same['differ'])}."


def _dbt_rows(d: dict) -> list[str]:
    lines = [
        "| dbt build over enriched interactions | code | wall | peak memory (tree) | slowest nodes |",
        "|---|---|---|---|---|",
    ]
    for mode in ("full", "incremental"):
        for r in d[mode]:
            slowest = ", ".join(f"{n['node'].split('.')[-1]} {n['seconds']}s" for n in r["slowest"][:5])
            status = "" if r["ok"] else " (FAILED)"
            lines.append(
                f"| {d['interactions']:,} / {d['days']} days, {mode}{status} | {r['code']} | {r['seconds']} s | "
                f"{r['peak_rss_gib']} GiB | {slowest} |"
            )
    same = d.get("same_marts")
    if same is not None:
        lines += ["", f"- After the incremental run, {_verdict(same)}"]
    return [*lines, ""]


def _refresh_row(label: str, r: dict) -> str:
    stages = r.get("stage_seconds", {})
    enrichment = r.get("enrichment", {})
    wall = r["seconds"] or 1
    shares = [f"{stages.get(s, 0)} s ({100 * stages.get(s, 0) / wall:.0f}%)" for s in STAGES]
    status = "" if r["ok"] else " (FAILED)"
    peaks = r.get("stage_peak_rss_gib", {})
    held_by = f", {max(peaks, key=peaks.get)}" if peaks else ""
    return (
        f"| {label}{status} | {r['code']} | {r['seconds']} s | {r['peak_rss_gib']} GiB{held_by} | "
        f"{' | '.join(shares)} | "
        f"{r['startup_and_other_seconds']} s | {enrichment.get('texts_encoded', '-')} | "
        f"{enrichment.get('texts_per_second', '-')} | {enrichment.get('texts_from_cache', '-')} |"
    )


def _add_day_ratio(add_day: list[dict]) -> float | None:
    """One more day on 365 days of history over one more day on 7, for the code being measured (the last version)."""
    by_history = {e["days"]: e["one_more_day"][-1]["seconds"] for e in add_day}
    if by_history.get(7) and 365 in by_history:
        return round(by_history[365] / by_history[7], 2)
    return None


def _positive(text: str) -> int:
    """A count of interactions or days: a whole number of at least 1 (argparse turns the error into a usage line)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", nargs="+", choices=("refresh", "add_day", "dbt"), help="run only these measures")
    parser.add_argument("--sizes", nargs="+", type=_positive, help="refresh sizes instead of the scale's")
    parser.add_argument("--history-days", nargs="+", type=_positive, help="add-a-day histories instead of 7 and 365")
    parser.add_argument("--dbt-rows", type=_positive, help="interactions for the dbt measure instead of the scale's")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also run every measure with this commit's code, on the same input, before this checkout's",
    )
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "data" / "benchmarks", help="scratch folder")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "results", help="results folder")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds any one command may take")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    only = set(args.only or ("refresh", "add_day", "dbt"))
    try:  # before the scratch folder is emptied: a mistyped ref must not cost the last run's files
        baseline_commit = commit_of(args.baseline) if args.baseline else None
    except subprocess.CalledProcessError:
        parser.error(f"--baseline {args.baseline}: not a commit of this repository (try a hash from `git log`)")
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    versions = [*([baseline(baseline_commit, args.work / "baseline_code")] if baseline_commit else []), this_checkout()]
    results: dict = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "scale": args.scale,
        "machine": machine(),
        "code": [v.label for v in versions],
        "scale_settings": asdict(scale),
    }
    if "refresh" in only:
        sizes = tuple(args.sizes or scale.refresh_sizes)
        results["refresh"] = bench_refresh(scale, args.work, sizes, versions, args.timeout)
    if "add_day" in only:
        history_days = tuple(args.history_days or scale.history_days)
        results["add_day"] = bench_add_day(scale, args.work, history_days, versions, args.timeout)
        results["add_day_ratio"] = _add_day_ratio(results["add_day"])
    if "dbt" in only:
        results["dbt"] = bench_dbt(scale, args.work, args.dbt_rows or scale.dbt_rows, versions, args.timeout)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n", "utf-8")
    table = markdown(results)
    (args.out / "results.md").write_text(table + "\n", "utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
