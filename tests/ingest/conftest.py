"""Shared helpers for the ingest tests: fixture files, a real in-memory DuckDB warehouse, reading a file whole."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.base import ReadResult
from ingest.detect import detect
from ingest.pipeline import FileReport, ingest_paths
from ingest.privacy import ContactSalt, hashing_with
from ingest.warehouse import ensure_raw_schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEST_SALT = ContactSalt("test-salt")


@pytest.fixture(autouse=True)
def hashing_with_the_test_salt():
    """Readers called directly hash with a test salt, as an ingest given one by the edge does (no warning)."""
    with hashing_with(TEST_SALT):
        yield


@dataclass
class ReadOutcome:
    """Every chunk of one file, put together."""

    format: str
    frames: dict[str, pl.DataFrame]
    quarantine: list[tuple[str, str, str]]
    rows_read: int
    rows_accepted: int

    @property
    def reasons(self) -> list[str]:
        return [reason for _, reason, _ in self.quarantine]


def _read_export(path: Path) -> ReadOutcome:
    """Detect ``path`` by content and read all of it; asserts the reader's counts add up chunk by chunk."""
    fmt = detect(path)
    assert fmt is not None, f"{path} was not recognised"
    chunks: list[ReadResult] = list(fmt.read(path))
    frames: dict[str, list[pl.DataFrame]] = {}
    for chunk in chunks:
        assert chunk.rows_read == chunk.rows_accepted + chunk.rows_quarantined
        for entity, frame in chunk.frames.items():
            frames.setdefault(entity, []).append(frame)
    return ReadOutcome(
        format=fmt.name,
        frames={entity: pl.concat(parts) for entity, parts in frames.items()},
        quarantine=[entry for chunk in chunks for entry in chunk.quarantine],
        rows_read=sum(chunk.rows_read for chunk in chunks),
        rows_accepted=sum(chunk.rows_accepted for chunk in chunks),
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Query results as dicts (no pyarrow in this environment)."""
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture
def warehouse():
    con = duckdb.connect()
    ensure_raw_schema(con)
    yield con
    con.close()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture
def land(landing: Path):
    """Copy fixture files into the landing folder: land("x_twitter_v2/edited.jsonl", to="x/edited.jsonl")."""

    def copy(fixture: str, to: str | None = None) -> Path:
        target = landing / (to or fixture)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / fixture, target)
        return target

    return copy


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def read_export():
    """read_export(path) -> ReadOutcome: detect a file by content and read all its chunks."""
    return _read_export


@pytest.fixture
def rows():
    """rows(con, sql, params=None) -> list of dicts."""
    return _rows


@pytest.fixture
def run_ingest(landing: Path):
    """run_ingest(paths=None, con=None, batch_id="batch-1", salt=None) -> reports, run over the landing folder by
    default.

    Every report is checked for the contract: rows_read == rows_accepted + rows_quarantined.
    """

    def run(paths=None, con=None, batch_id: str = "batch-1", salt=None) -> list[FileReport]:
        reports = ingest_paths(paths or [landing], landing_root=landing, con=con, batch_id=batch_id, salt=salt)
        for report in reports:
            assert report.rows_read == report.rows_accepted + report.rows_quarantined, report.to_dict()
        return reports

    return run
