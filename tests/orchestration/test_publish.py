import subprocess
import sys

import duckdb
import pytest

from orchestration.publish import REFRESH_ID_DOC, open_serving, publish


@pytest.fixture
def working_db(tmp_path):
    path = tmp_path / "ror.work.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.advocacy (person_id varchar, referral_actions integer)")
        con.execute("insert into marts.advocacy values ('p1', 3), ('p2', 0)")
        con.execute("comment on column marts.advocacy.referral_actions is 'count of referral actions'")
        con.execute("create schema staging")
        con.execute("create table staging.not_published (x integer)")
    return path


def test_publish_copies_marts_with_one_refresh_id(tmp_path, working_db):
    serving = tmp_path / "serve" / "ror.duckdb"
    published = publish(working_db, serving, refresh_id="run-1")

    assert [(t.name, t.rows) for t in published] == [("advocacy", 2)]
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute(
            "select person_id, referral_actions, refresh_id from marts.advocacy order by 1"
        ).fetchall() == [
            ("p1", 3, "run-1"),
            ("p2", 0, "run-1"),
        ]
        assert con.execute("select table_name, row_count from marts.refresh_log").fetchall() == [("advocacy", 2)]
        assert con.execute("select * from marts.column_docs where table_name = 'advocacy' order by 2").fetchall() == [
            ("advocacy", "referral_actions", "count of referral actions"),
            ("advocacy", "refresh_id", REFRESH_ID_DOC),
        ]
        schemas = {s for (s,) in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "staging" not in schemas
    assert sorted(p.name for p in serving.parent.iterdir()) == ["ror.duckdb"]  # no temporary file left behind


def test_a_reader_of_the_old_file_keeps_its_snapshot_while_a_new_one_is_published(tmp_path, working_db):
    serving = tmp_path / "ror.duckdb"
    publish(working_db, serving, refresh_id="run-1")
    reader = duckdb.connect(str(serving), read_only=True)
    try:
        with duckdb.connect(str(working_db)) as con:
            con.execute("insert into marts.advocacy values ('p3', 1)")
        publish(working_db, serving, refresh_id="run-2")
        assert reader.execute("select count(*), min(refresh_id) from marts.advocacy").fetchone() == (2, "run-1")
    finally:
        reader.close()
    with duckdb.connect(str(serving), read_only=True) as fresh:
        assert fresh.execute("select count(*), min(refresh_id) from marts.advocacy").fetchone() == (3, "run-2")


def test_a_publication_killed_half_way_leaves_the_served_file_alone_and_is_cleaned_up(tmp_path, working_db):
    serving = tmp_path / "ror.duckdb"
    publish(working_db, serving, refresh_id="run-1")
    half_written = tmp_path / ".ror.duckdb.run-2.publishing"
    half_written.write_bytes(b"partial")

    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select min(refresh_id) from marts.advocacy").fetchone() == ("run-1",)
    publish(working_db, serving, refresh_id="run-3")
    assert sorted(p.name for p in tmp_path.iterdir() if "ror.duckdb" in p.name and "work" not in p.name) == [
        "ror.duckdb"
    ]


# A publication killed while DuckDB was writing its staging file: the process dies with the write-ahead log unmerged.
KILLED_WHILE_WRITING = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table marts_half_copied as select * from range(1000)")
os._exit(9)
"""


def test_a_publication_killed_while_writing_leaves_no_file_behind_after_the_next_one(tmp_path, working_db):
    serving = tmp_path / "serve" / "ror.duckdb"
    publish(working_db, serving, refresh_id="run-1")
    staging = serving.with_name(".ror.duckdb.run-2.publishing")
    subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING, str(staging)], timeout=120)
    assert sorted(p.name for p in serving.parent.iterdir()) == [
        ".ror.duckdb.run-2.publishing",
        ".ror.duckdb.run-2.publishing.wal",
        "ror.duckdb",
    ]

    publish(working_db, serving, refresh_id="run-3")
    assert sorted(p.name for p in serving.parent.iterdir()) == ["ror.duckdb"]


def test_marts_without_documented_columns_publish(tmp_path):
    working = tmp_path / "ror.work.duckdb"
    with duckdb.connect(str(working)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.undocumented as select 1 as x")
    serving = tmp_path / "ror.duckdb"

    assert [(t.name, t.rows) for t in publish(working, serving, refresh_id="run-1")] == [("undocumented", 1)]
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute(
            "select column_name from marts.column_docs where table_name = 'undocumented'"
        ).fetchall() == [("refresh_id",)]


@pytest.mark.parametrize("name", ["ror.duckdb", "memory.duckdb", "temp.duckdb"])
def test_the_bi_reader_opens_a_serving_file_of_any_name(tmp_path, working_db, name):
    serving = tmp_path / name
    publish(working_db, serving, refresh_id="run-1")
    with open_serving(serving) as con:
        assert con.execute("select count(*), min(refresh_id) from marts.advocacy").fetchone() == (2, "run-1")
