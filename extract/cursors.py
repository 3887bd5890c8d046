"""Where each extractor left off, per account and stream, in the working database (table ``extract.cursors``).

A cursor is a small JSON state: the extractor's watermark (a since id or a time) for the next pass, and while a pass
is under way the parameters it started with and the page token of the next page. The page token is saved after each
page is landed, so a run killed mid-way resumes at the page after the last one written: nothing is skipped, and a page
fetched twice lands once (same content, same file) and its records once (ingest's record hash).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

_DDL = """
create schema if not exists extract;
create table if not exists extract.cursors (
    extractor varchar not null,
    account varchar not null,
    stream varchar not null,
    state json not null,
    updated_at timestamptz not null,
    primary key (extractor, account, stream)
)
"""


class CursorStore:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        con.execute(_DDL)

    def get(self, extractor: str, account: str, stream: str) -> dict[str, Any]:
        row = self.con.execute(
            "select state from extract.cursors where extractor = ? and account = ? and stream = ?",
            [extractor, account, stream],
        ).fetchone()
        return json.loads(row[0]) if row else {}

    def put(self, extractor: str, account: str, stream: str, state: dict[str, Any]) -> None:
        self.con.execute(
            "insert or replace into extract.cursors values (?, ?, ?, ?, now())",
            [extractor, account, stream, json.dumps(state, sort_keys=True)],
        )

    def delete(self, extractor: str, account: str, stream: str) -> None:
        self.con.execute(
            "delete from extract.cursors where extractor = ? and account = ? and stream = ?",
            [extractor, account, stream],
        )
