"""Files checked and loaded together in batches, and read ahead in worker processes, give exactly what loading them one
at a time gives: the same raw rows, quarantine, manifest and reports, on every real export fixture beside damaged and
hostile files written here; and a batch never holds more rows than ``batch_rows`` allows."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
from pathlib import Path

import duckdb
import pytest

import ingest.parallel
import ingest.pipeline
from ingest.pipeline import ingest_paths
from ingest.privacy import ContactSalt
from ingest.warehouse import ensure_raw_schema, raw_table_columns

# Columns that say when and in which run a row was loaded, not what it holds.
LOAD_TIME_COLUMNS = {"_batch_id", "_ingested_at", "first_seen_at"}
REPORT_FIELDS = ("file", "detected_format", "status", "rows_read", "rows_accepted", "rows_quarantined",
                 "first_reasons", "message", "rows_inserted", "sha256")  # fmt: skip

POST = {
    "platform": "x",
    "interaction_id": "1",
    "interaction_type": "post",
    "created_at": "2024-05-01T10:00:00Z",
    "author_id": "9",
    "text": "first",
    "like_count": 3,
}


def _jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def _hostile_landing(landing: Path, fixtures: Path) -> None:
    """Every export fixture, and beside them: a record in two files, a copy of a file, implausible and malformed rows,
    a broken line, a file of text in no known layout, binary bytes and an empty file."""
    shutil.copytree(fixtures, landing / "fixtures")
    _jsonl(landing / "hostile/a_first.jsonl", [POST, {**POST, "interaction_id": "2", "text": "second"}])
    _jsonl(landing / "hostile/b_again.jsonl", [{**POST, "interaction_id": "2", "text": "second"}, {**POST, "id": 1}])
    shutil.copyfile(landing / "hostile/a_first.jsonl", landing / "hostile/c_copy.jsonl")
    _jsonl(
        landing / "hostile/d_implausible.jsonl",
        [
            {**POST, "interaction_id": "3", "created_at": "1970-01-01T00:00:00Z"},
            {**POST, "interaction_id": "4", "like_count": -5},
            {**POST, "interaction_id": "5", "created_at": "not a date"},
            {**POST, "interaction_id": "6", "text": "fine"},
        ],
    )
    (landing / "hostile/e_broken.jsonl").write_text(json.dumps(POST) + "\n{not json\n" + json.dumps(POST) + "\n")
    (landing / "hostile/f_notes.txt").write_text("minutes of the meeting\nnothing to load here\n")
    (landing / "hostile/g_image.bin").write_bytes(bytes(range(256)) * 8)
    (landing / "hostile/h_empty.jsonl").write_text("")


def _ingest(landing: Path, **how) -> tuple[list[dict], dict[str, list[tuple]]]:
    con = duckdb.connect()
    ensure_raw_schema(con)
    reports = ingest_paths([landing], landing_root=landing, con=con, batch_id="b", **how)
    tables = {}
    for table, columns in raw_table_columns().items():
        kept = [f'"{name}"' for name in columns if name not in LOAD_TIME_COLUMNS]
        if table == "people":  # filled from the load time when the export gives none: compare whether it was
            kept = [*(name for name in kept if name != '"observed_at"'), "observed_at = _ingested_at"]
        tables[table] = sorted(con.execute(f"SELECT {', '.join(kept)} FROM raw.{table}").fetchall(), key=repr)
    con.close()
    return [{name: report.to_dict()[name] for name in REPORT_FIELDS} for report in reports], tables


@pytest.fixture
def hostile_landing(landing: Path, fixtures_dir: Path) -> Path:
    _hostile_landing(landing, fixtures_dir)
    return landing


def test_batches_and_worker_processes_load_what_one_file_at_a_time_loads(hostile_landing, monkeypatch, caplog):
    with monkeypatch.context() as alone:
        alone.setattr(ingest.parallel, "GROUP_FILES", 1)  # each file read and hashed on its own
        one_at_a_time = _ingest(hostile_landing, batch_rows=1, workers=1)
    monkeypatch.setattr(ingest.parallel, "MIN_FILES_FOR_WORKERS", 2)
    together = _ingest(hostile_landing, batch_rows=1_000_000, workers=2)
    assert "reading process" not in caplog.text  # the workers read every file: none fell back to this process

    assert together[0] == one_at_a_time[0]  # every file's report, in landing order
    assert together[1] == one_at_a_time[1]  # every raw table, quarantine and manifest
    statuses = {report["status"] for report in together[0]}
    assert {"loaded", "duplicate_file", "unrecognised"} <= statuses
    assert sum(report["rows_quarantined"] for report in together[0]) > 0
    reports = {report["file"]: report for report in together[0]}
    assert reports["hostile/b_again.jsonl"]["rows_inserted"] == 0  # its record landed with the file before it
    assert reports["hostile/d_implausible.jsonl"]["rows_accepted"] == 1


def test_no_batch_holds_more_rows_than_the_setting_beyond_its_last_file(hostile_landing, monkeypatch):
    batches: list[list[int]] = []
    load_files = ingest.pipeline.load_files

    def counting(con, files, frames):
        batches.append([pending.progress.rows_read for pending in files])
        return load_files(con, files, frames)

    monkeypatch.setattr(ingest.pipeline, "load_files", counting)
    _ingest(hostile_landing, batch_rows=40)
    assert len(batches) > 3
    assert all(sum(rows[:-1]) < 40 for rows in batches)  # a batch loads as soon as it reaches the setting


def test_batch_rows_and_workers_must_be_positive(landing):
    with pytest.raises(ValueError, match="batch_rows"):
        ingest_paths([landing], landing_root=landing, batch_id="b", batch_rows=0)
    with pytest.raises(ValueError, match="workers"):
        ingest_paths([landing], landing_root=landing, batch_id="b", workers=0)


def test_worker_processes_hash_contact_data_with_the_salt_the_ingest_was_given(hostile_landing, monkeypatch):
    monkeypatch.setattr(ingest.parallel, "MIN_FILES_FOR_WORKERS", 2)
    here = _ingest(hostile_landing, workers=1, salt=ContactSalt("one-secret"))[1]
    in_workers = _ingest(hostile_landing, workers=2, salt=ContactSalt("one-secret"))[1]
    other_salt = _ingest(hostile_landing, workers=2, salt=ContactSalt("another-secret"))[1]
    assert in_workers == here
    assert other_salt != in_workers  # the fixtures hold contact data: a worker hashing with another salt would show


def test_the_manifest_holds_each_files_own_sha256_and_size_also_past_a_read_block(landing):
    """The reading process hashes a file as it reads it, in blocks: a file of several blocks and its copy have the
    sha256 of their bytes, and the copy is still a duplicate."""
    _jsonl(landing / "a_big.jsonl", [{**POST, "interaction_id": str(n), "text": "x" * 900} for n in range(1500)])
    shutil.copyfile(landing / "a_big.jsonl", landing / "b_copy.jsonl")
    content = (landing / "a_big.jsonl").read_bytes()
    assert len(content) > 1 << 20
    con = duckdb.connect()
    ensure_raw_schema(con)
    ingest_paths([landing], landing_root=landing, con=con, batch_id="b")
    manifest = con.execute(
        "SELECT source_file, sha256, size_bytes, status FROM raw.file_manifest ORDER BY 1"
    ).fetchall()
    sha256 = hashlib.sha256(content).hexdigest()
    assert manifest == [
        ("a_big.jsonl", sha256, len(content), "loaded"),
        ("b_copy.jsonl", sha256, len(content), "duplicate_file"),
    ]


def _count_submitted_files(monkeypatch) -> list[Path]:
    """The files handed to the reading processes, in order, as they are submitted."""
    submitted: list[Path] = []

    class CountingPool(ingest.parallel.ProcessPoolExecutor):
        def submit(self, fn, paths, /):
            submitted.extend(paths)
            return super().submit(fn, paths)

    monkeypatch.setattr(ingest.parallel, "ProcessPoolExecutor", CountingPool)
    return submitted


def test_worker_processes_read_ahead_within_the_byte_bound_and_hand_files_back_in_order(tmp_path, monkeypatch):
    files = []
    for index in range(ingest.parallel.MIN_FILES_FOR_WORKERS + 6):
        path = tmp_path / f"{index:03}.txt"
        path.write_bytes(f"not an export {index}\n".encode().ljust(1000, b"."))
        files.append(path)
    monkeypatch.setattr(ingest.parallel, "READ_AHEAD_BYTES", 5_000)  # five of these files
    submitted = _count_submitted_files(monkeypatch)
    handed_back, most_ahead = [], 0
    for prepared in ingest.parallel.prepared_files(files, workers=2):
        handed_back.append(prepared.digest.sha256)
        most_ahead = max(most_ahead, len(submitted) - len(handed_back))
    assert handed_back == [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
    assert most_ahead == 5  # the workers keep reading while the loader works, never past the bound


def test_the_reading_processes_read_the_next_batch_while_the_loader_loads_one(tmp_path, monkeypatch):
    """The loader takes a batch of files at once and then loads it for seconds: with a read-ahead of about one batch
    the reading processes waited for the loader while it loaded, and it for them while they read (one core of two)."""
    files = []
    for index in range(2 * ingest.pipeline.BATCH_FILES + 100):
        path = tmp_path / f"{index:04}.txt"
        path.write_text(f"not an export {index}\n")
        files.append(path)
    submitted = _count_submitted_files(monkeypatch)
    handed_back, most_ahead = 0, 0
    for _ in ingest.parallel.prepared_files(files, workers=2):
        handed_back += 1
        most_ahead = max(most_ahead, len(submitted) - handed_back)
    assert handed_back == len(files)
    assert most_ahead > ingest.pipeline.BATCH_FILES  # more than the batch the loader holds: the next one is read


def _digests_read_with_two_workers(paths: list[Path], answer) -> None:
    try:
        answer.put([prepared.digest.sha256 for prepared in ingest.parallel.prepared_files(paths, workers=2)])
    except Exception as error:  # the parent asserts on it: a daemonic process may not start the reading workers
        answer.put(type(error).__name__)


def test_a_daemonic_process_reads_the_files_itself(tmp_path):
    """On the cluster, ingest runs in a Celery worker's child process, which is daemonic and may not start processes:
    with thousands of files (a year of daily exports) the step failed on "daemonic processes are not allowed to have
    children" until it read them in its own process."""
    files = []
    for index in range(ingest.parallel.MIN_FILES_FOR_WORKERS + 6):
        path = tmp_path / f"{index:03}.txt"
        path.write_text(f"not an export {index}\n")
        files.append(path)
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    reader = context.Process(target=_digests_read_with_two_workers, args=(files, answer), daemon=True)
    reader.start()
    read = answer.get(timeout=120)
    reader.join(timeout=60)
    assert read == [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]


def test_a_group_whose_hashing_fails_is_hashed_file_by_file_and_only_the_file_at_fault_fails(landing, monkeypatch):
    """The rows of a group of files are hashed in one pass; when that pass raises, each file is hashed alone, so the
    file whose rows raise fails (no value in its message) and every other file of the group loads all its rows."""
    for name in ("a", "b", "c"):
        _jsonl(
            landing / f"{name}.jsonl",
            [{**POST, "interaction_id": f"{name}{n}", "text": f"{name} {n}"} for n in range(3)],
        )
    _jsonl(
        landing / "b.jsonl", [{**POST, "interaction_id": "b0", "text": "poisoned"}, {**POST, "interaction_id": "b1"}]
    )
    identified_chunks = ingest.parallel.identified_chunks

    def refusing_the_poisoned_text(chunks):
        texts = [text for chunk in chunks for frame in chunk.frames.values() for text in frame["text"].to_list()]
        if "poisoned" in texts:
            raise ValueError("poisoned")
        return identified_chunks(chunks)

    monkeypatch.setattr(ingest.parallel, "identified_chunks", refusing_the_poisoned_text)
    reports, tables = _ingest(landing, workers=1)
    statuses = {report["file"]: (report["status"], report["rows_read"]) for report in reports}
    assert statuses == {"a.jsonl": ("loaded", 3), "b.jsonl": ("failed", 0), "c.jsonl": ("loaded", 3)}
    failed = next(report for report in reports if report["status"] == "failed")
    assert "poisoned" not in failed["message"]
    assert sorted(row[1] for row in tables["interactions"]) == ["a0", "a1", "a2", "c0", "c1", "c2"]


def test_a_file_unreadable_in_the_middle_of_a_group_fails_alone(tmp_path):
    first, gone, last = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    _jsonl(first, [POST])
    _jsonl(last, [{**POST, "interaction_id": "2"}])
    prepared = ingest.parallel.prepare_group([first, gone, last])  # b.jsonl was removed after it was listed
    assert [one.failure is None for one in prepared] == [True, False, True]
    assert "FileNotFoundError" in str(prepared[1].failure)
    assert [one.chunks[0].rows_accepted for one in (prepared[0], prepared[2])] == [1, 1]
    assert prepared[0].chunks[0].frames["interactions"]["__record_hash"].to_list() == (
        ingest.parallel.prepare(first).chunks[0].frames["interactions"]["__record_hash"].to_list()
    )


def test_bad_rows_in_one_file_of_a_group_are_quarantined_with_its_file_and_line_and_the_rest_loads(landing):
    _jsonl(landing / "a.jsonl", [POST, {**POST, "interaction_id": "2"}])
    (landing / "b.jsonl").write_text(
        json.dumps({**POST, "interaction_id": "3"})
        + "\n{not json\n"
        + json.dumps({**POST, "interaction_id": "4", "created_at": "1970-01-01T00:00:00Z"})
        + "\n"
    )
    _jsonl(landing / "c.jsonl", [{**POST, "interaction_id": "5"}])
    reports, tables = _ingest(landing, workers=1)
    counts = {
        report["file"]: (report["status"], report["rows_accepted"], report["rows_quarantined"]) for report in reports
    }
    assert counts == {"a.jsonl": ("loaded", 2, 0), "b.jsonl": ("loaded", 1, 2), "c.jsonl": ("loaded", 1, 0)}
    assert sorted(row[1] for row in tables["interactions"]) == ["1", "2", "3", "5"]
    assert sorted((row[0], row[1]) for row in tables["quarantine"]) == [("b.jsonl", "line 2"), ("b.jsonl", "row 3")]


def test_ingest_checkpoints_less_often_while_it_loads_and_then_as_before(hostile_landing, monkeypatch):
    """A batch writes more than DuckDB's default 16 MB of log, so every commit checkpointed (half of the loading
    process's CPU on the 1M year); the connection gets its own threshold back afterwards."""
    con = duckdb.connect()
    ensure_raw_schema(con)
    con.execute("SET checkpoint_threshold = '20MB'")
    before = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    while_loading = []
    load_files = ingest.pipeline.load_files

    def noting(con, files, frames):
        while_loading.append(con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0])
        return load_files(con, files, frames)

    monkeypatch.setattr(ingest.pipeline, "load_files", noting)
    ingest_paths([hostile_landing], landing_root=hostile_landing, con=con, batch_id="b")
    assert while_loading and set(while_loading) == {"256.0 MiB"}
    assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchone() == before
