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
"""

from __future__ import annotations

import argparse
import inspect
import json
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
    started = time.perf_counter()
    reports = ingest_paths([landing], landing_root=landing, con=con, batch_id="benchmark", **given)
    seconds = time.perf_counter() - started
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
        "peak_tree_memory_mib": round(peak / 2**20),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("landing", type=Path, help="the landing folder (ror generate's DIR/landing)")
    parser.add_argument("--workers", type=int, help="reading processes (default: the code's own)")
    parser.add_argument("--batch-rows", type=int, help="rows of small files loaded together (default: the code's)")
    parser.add_argument("--database", type=Path, help="DuckDB file to create (default: a temporary one, removed)")
    args = parser.parse_args(argv)
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
