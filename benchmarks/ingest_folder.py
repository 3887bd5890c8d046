"""Ingest a landing folder of exports into an empty DuckDB file; print files, rows, seconds and peak memory as JSON.

    python -m benchmarks.ingest_folder /tmp/year/landing                       # this checkout's defaults
    python -m benchmarks.ingest_folder /tmp/year/landing --workers 1 --batch-rows 20000
    cd /tmp/previous && PYTHONPATH=/tmp/previous:$OLDPWD python -m benchmarks.ingest_folder ...  # the previous code

The landing folder is what ``ror generate --interactions N --days D --out DIR`` writes (``DIR/landing``). Only ingest is
timed (``ingest.pipeline.ingest_paths``, what the refresh's ingest step and ``ror ingest`` call), from an empty
warehouse. ``--workers`` and ``--batch-rows`` are passed only to code that takes them, so an older checkout of
``ingest`` run from its own folder (``python -m`` puts the working folder first on the path) runs the same command:
the two are timed side by side on the same files; ``code`` in the output says which ``ingest`` ran. Peak memory
is the largest summed resident memory of this process and its children (the reading processes), sampled every 0.1 s.
CPU seconds are given for this process and for the reading processes apart: on a loaded machine they compare two
versions better than wall time does.
"""

from __future__ import annotations

import argparse
import inspect
import json
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

import ingest
from benchmarks.measure import PeakTreeMemory
from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema


def ingest_folder(landing: Path, database: Path, **settings: int) -> dict:
    known = inspect.signature(ingest_paths).parameters
    given = {name: value for name, value in settings.items() if name in known}
    con = duckdb.connect(str(database))
    ensure_raw_schema(con)
    memory = PeakTreeMemory()
    started, loading_cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    reports = ingest_paths([landing], landing_root=landing, con=con, batch_id="benchmark", **given)
    # the load is done when it is on disk: ingest checkpoints lazily (ingest.pipeline), so the last checkpoint counts
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    loading_cpu, reading_cpu = time.process_time() - loading_cpu, _children_cpu() - children
    peak = memory.stop()
    raw_rows = con.execute("SELECT sum(rows_read) FROM raw.file_manifest").fetchone()[0]
    con.close()
    rows_read = sum(report.rows_read for report in reports)
    return {
        "files": len(reports),
        "statuses": dict(Counter(report.status for report in reports)),
        "rows_read": rows_read,
        "rows_accepted": sum(report.rows_accepted for report in reports),
        "rows_quarantined": sum(report.rows_quarantined for report in reports),
        "manifest_rows_read": raw_rows,
        "code": str(Path(ingest.__file__).parent),
        "settings": given,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows_read / seconds),
        # CPU seconds (user + system) of this process, which loads (and reads, without workers), and of the reading
        # processes: on a shared machine wall time also measures the others, CPU time much less
        "loading_process_cpu_seconds": round(loading_cpu, 2),
        "reading_processes_cpu_seconds": round(reading_cpu, 2),
        "peak_tree_memory_mib": round(peak / 2**20),
    }


def _children_cpu() -> float:
    """CPU seconds of the ended child processes (the reading processes, once the ingest has stopped them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("landing", type=Path, help="the landing folder (ror generate's DIR/landing)")
    parser.add_argument("--workers", type=int, help="reading processes (default: the code's own)")
    parser.add_argument("--batch-rows", type=int, help="rows of small files loaded together (default: the code's)")
    parser.add_argument("--database", type=Path, help="DuckDB file to create (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    if not args.landing.is_dir():
        parser.error(f"{args.landing}: no such folder (give a landing folder, e.g. ror generate's DIR/landing)")
    settings = {name: value for name, value in (("workers", args.workers), ("batch_rows", args.batch_rows)) if value}
    if args.database is not None:
        args.database.unlink(missing_ok=True)
        result = ingest_folder(args.landing.resolve(), args.database, **settings)
    else:
        with tempfile.TemporaryDirectory(prefix="ingest-bench-") as folder:
            result = ingest_folder(args.landing.resolve(), Path(folder) / "warehouse.duckdb", **settings)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
