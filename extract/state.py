"""Where each extractor left off, and what it read this month: a small DuckDB file of its own per platform,
``<landing>/extract/<platform>/.state.duckdb`` (hidden: ingest and the landing sensor skip it).

Extraction never touches the warehouse, so it needs no warehouse lock: a run waiting for a platform's rate-limit window
lets other writers in (orchestration/assets/extract.py), and two platforms can pull side by side.

A cursor is a small JSON state: the extractor's watermark (a since id or a time) for the next pass, and while a pass
is under way the parameters it started with and the page token of the next page. The page token is saved after each
page is landed, so a run killed mid-way resumes at the page after the last one written: nothing is skipped, and a page
fetched twice lands once (same content, same file) and its records once (ingest's record hash). Each write is one
DuckDB transaction: a killed run leaves the last one whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

STATE_FILE = ".state.duckdb"

_DDL = """
create table if not exists cursors (
    account varchar not null,
    stream varchar not null,
    state json not null,
    updated_at timestamptz not null,
    primary key (account, stream)
);
create table if not exists reads (
    month varchar primary key,  -- YYYY-MM, UTC
    items bigint not null       -- what the platform bills per item read (X: posts)
)
"""


class StateBusy(RuntimeError):
    """Another process pulls this platform into the same landing folder right now."""


class ExtractState:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        con.execute(_DDL)

    @classmethod
    @contextmanager
    def open(cls, folder: Path) -> Iterator[ExtractState]:
        """The state file in ``folder`` (the platform's landing folder), created on first use."""
        folder.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(folder / STATE_FILE))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            raise StateBusy(f"{folder / STATE_FILE} is in use by another pull; pull again when it is done") from None
        try:
            yield cls(con)
        finally:
            con.close()

    def get(self, account: str, stream: str) -> dict[str, Any]:
        row = self.con.execute(
            "select state from cursors where account = ? and stream = ?", [account, stream]
        ).fetchone()
        return json.loads(row[0]) if row else {}

    def put(self, account: str, stream: str, state: dict[str, Any]) -> None:
        self.con.execute(
            "insert or replace into cursors values (?, ?, ?, now())",
            [account, stream, json.dumps(state, sort_keys=True)],
        )

    def delete(self, account: str, stream: str) -> None:
        self.con.execute("delete from cursors where account = ? and stream = ?", [account, stream])

    def reads(self, month: str) -> int:
        row = self.con.execute("select items from reads where month = ?", [month]).fetchone()
        return int(row[0]) if row else 0

    def add_reads(self, month: str, items: int) -> int:
        """Count ``items`` more read in ``month``; the month's total."""
        self.con.execute(
            "insert into reads values (?, ?) on conflict (month) do update set items = reads.items + excluded.items",
            [month, items],
        )
        return self.reads(month)
