"""Where ingest's CPU time goes, in one process: hashing and detection, each format's reading, the loader's two steps.

    python -m benchmarks.ingest_profile /tmp/year/landing --days 20
    python -m benchmarks.ingest_profile /tmp/year/landing --days 20 --cprofile /tmp/ingest.prof   # + call profile

The landing folder is what ``ror generate`` writes (one folder per day); ``--days`` picks that many day folders
spread from the first to the last, so a sample spreads over the year (day folders grow and change over a generated
year). Every file is hashed, detected and read (``ingest.parallel.prepare``, what a reading process does), then the
files are checked and loaded into an empty warehouse file in batches as ``ingest.pipeline`` makes them
(``ingest.warehouse.raw_batch`` and ``load_files``, what the loading process does). Times are CPU seconds of this
process (``time.process_time``, the call profile's too): on a shared machine wall time mostly measures the others.
Per file and per row figures say whether a format's cost is fixed per file or per record (each file read and hashed
alone); the reading processes read files in groups and hash a group's rows together, which ``grouped_read_seconds``
measures. Printed as JSON; nothing is written but the optional call profile.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.detect import explain_sample, sample_of
from ingest.parallel import digest_file, prepare, prepared_files
from ingest.pipeline import BATCH_FILES, BATCH_ROWS
from ingest.warehouse import ManifestEntry, ensure_raw_schema, load_files, raw_batch


def sampled_files(landing: Path, days: int) -> list[Path]:
    """Every file of ``days`` day folders spread evenly from the first to the last (0: every folder)."""
    folders = sorted(path for path in landing.iterdir() if path.is_dir())
    if days and len(folders) > days:
        picked = {round(index * (len(folders) - 1) / max(days - 1, 1)) for index in range(days)}
        folders = [folders[index] for index in sorted(picked)]
    return sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())


def profile(files: list[Path], batch_rows: int) -> dict:
    formats: dict[str, dict[str, float]] = defaultdict(lambda: {"files": 0, "rows": 0, "seconds": 0.0})
    detect_seconds = 0.0
    prepared = []
    for path in files:
        started = time.process_time()
        explain_sample(sample_of(path, digest_file(path).head))
        detect_seconds += time.process_time() - started
        started = time.process_time()
        result = prepare(path)  # hashes and detects again: that time is subtracted below
        figures = formats[result.format_name or "unrecognised"]
        figures["seconds"] += time.process_time() - started
        figures["files"] += 1
        figures["rows"] += sum(chunk.rows_read for chunk in result.chunks or [])
        prepared.append((path, result))
    per_file_detect = detect_seconds / max(len(files), 1)
    for figures in formats.values():
        figures["seconds"] -= per_file_detect * figures["files"]
    started = time.process_time()
    for _ in prepared_files(files, workers=1):  # as the reading processes do: in groups, hashed together
        pass
    grouped_seconds = time.process_time() - started

    with tempfile.TemporaryDirectory(prefix="ingest-profile-") as folder:
        con = duckdb.connect(str(Path(folder) / "warehouse.duckdb"))  # a file, as in use: commits write to disk
        ensure_raw_schema(con)
        check_seconds, load_seconds = _load(con, prepared, batch_rows)
        con.close()
    rows = sum(figures["rows"] for figures in formats.values())
    return {
        "files": len(files),
        "rows": rows,
        "hash_and_detect_seconds": round(detect_seconds, 2),
        "read_seconds": {
            name: {
                "files": int(figures["files"]),
                "rows": int(figures["rows"]),
                "seconds": round(figures["seconds"], 2),
                "ms_per_file": round(1000 * figures["seconds"] / figures["files"], 2),
                "us_per_row": round(1e6 * figures["seconds"] / figures["rows"], 1) if figures["rows"] else None,
            }
            for name, figures in sorted(formats.items(), key=lambda item: -item[1]["seconds"])
        },
        # all of hashing, detecting and reading (read_seconds and hash_and_detect_seconds) as the reading processes
        # do it: files in groups, the rows of a group hashed together (read_seconds hashes each file's alone)
        "grouped_read_seconds": round(grouped_seconds, 2),
        "check_seconds": round(check_seconds, 2),  # plausibility, provenance (raw_batch; hashes: read_seconds)
        "load_seconds": round(load_seconds, 2),  # de-duplication, inserts and commits (load_files)
        "us_per_row_loading": round(1e6 * (check_seconds + load_seconds) / max(rows, 1), 1),
    }


def _load(con: duckdb.DuckDBPyConnection, prepared: list, batch_rows: int) -> tuple[float, float]:
    """CPU seconds of checking (``raw_batch``) and of loading (``load_files``) the files read whole."""
    now = datetime.now(UTC)
    entries = [
        (ManifestEntry(str(path), str(index), 0, result.format_name, "loaded", None, "profile", now), chunk, now)
        for index, (path, result) in enumerate(prepared)
        if result.chunks is not None
        for chunk in result.chunks[:1]
    ]
    batches, batch, rows = [], [], 0
    for entry in entries:  # as ingest.pipeline batches them: up to batch_rows rows or BATCH_FILES files
        batch.append(entry)
        rows += entry[1].rows_read
        if rows >= batch_rows or len(batch) >= BATCH_FILES:
            batches.append(batch)
            batch, rows = [], 0
    if batch:
        batches.append(batch)
    check_seconds = load_seconds = 0.0
    for batch in batches:
        started = time.process_time()
        pending, frames = raw_batch(batch)
        checked = time.process_time()
        load_files(con, pending, frames)
        check_seconds += checked - started
        load_seconds += time.process_time() - checked
    return check_seconds, load_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("landing", type=Path, help="the landing folder (ror generate's DIR/landing)")
    parser.add_argument("--days", type=int, default=20, help="day folders sampled across the year (0: all)")
    parser.add_argument("--batch-rows", type=int, default=BATCH_ROWS, help="rows checked and loaded together")
    parser.add_argument("--cprofile", type=Path, help="also write a cProfile of the whole run here (pstats format)")
    args = parser.parse_args(argv)
    files = sampled_files(args.landing, args.days)
    profiler = cProfile.Profile(time.process_time) if args.cprofile else None
    if profiler is not None:
        profiler.enable()
    result = profile(files, args.batch_rows)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
