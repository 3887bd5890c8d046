"""The raw layer in a real DuckDB: schema from the contract, append-only idempotent loads, one transaction per file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from ingest.base import ReadResult
from ingest.schema import ENTITIES, FILE_MANIFEST, PROVENANCE, QUARANTINE
from ingest.text import text_hash
from ingest.warehouse import FileLoad, ManifestEntry, _transaction, duckdb_type, ensure_raw_schema, load_file


def _columns(con, table: str) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?"
        " ORDER BY ordinal_position", [table]
    ).fetchall()]  # fmt: skip


def _count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]


def test_every_entity_gets_exactly_its_columns_plus_provenance(warehouse):
    for entity, schema in ENTITIES.items():
        assert _columns(warehouse, entity) == [*schema, *PROVENANCE]
    assert _columns(warehouse, "quarantine") == list(QUARANTINE)
    assert _columns(warehouse, "file_manifest") == list(FILE_MANIFEST)
    types = dict(warehouse.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'raw' AND table_name = 'interactions'"
    ).fetchall())  # fmt: skip
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["mentioned_handles"] == "VARCHAR[]"
    ensure_raw_schema(warehouse)  # a second run changes nothing and does not fail


def test_a_column_added_to_the_contract_is_added_to_an_existing_table():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.people (platform VARCHAR, person_id VARCHAR)")
    ensure_raw_schema(con)
    assert _columns(con, "people") == [*ENTITIES["people"], *PROVENANCE]


def test_a_warehouse_from_before_link_urls_is_upgraded_in_place(land, run_ingest, rows):
    # users keep their warehouse between versions: raw.interactions as the previous version created it, with a row
    con = duckdb.connect()
    before = {name: dtype for name, dtype in {**ENTITIES["interactions"], **PROVENANCE}.items() if name != "link_urls"}
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.interactions ({', '.join(f'{n} {duckdb_type(t)}' for n, t in before.items())})")
    con.execute("INSERT INTO raw.interactions (platform, interaction_id, record_version) VALUES ('x', 'old', 0)")

    ensure_raw_schema(con)
    assert set(_columns(con, "interactions")) == {*ENTITIES["interactions"], *PROVENANCE}
    assert con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'interactions'"
        " AND column_name = 'link_urls'"
    ).fetchall() == [("VARCHAR[]",)]

    land("x_twitter_v2/edited.jsonl")
    (report,) = run_ingest(con=con)
    assert report.status == "loaded"
    links = rows(con, "SELECT interaction_id, record_version, link_urls FROM raw.interactions ORDER BY ALL")
    assert links[-1] == {"interaction_id": "old", "record_version": 0, "link_urls": None}  # the old row is kept as is
    assert {"interaction_id": "1576994746135764992", "record_version": 1,
            "link_urls": ["https://twitter.com/i/web/status/1576994789110992896"]} in links  # fmt: skip


def test_creatives_loaded_with_parsed_utm_columns_keep_their_tags_as_a_link(rows):
    # before UTM parsing moved to dbt, the reader wrote a creative's tags into utm_* columns; upgrading the table
    # turns them into the one link dbt reads (first_url_parameter), so no campaign is lost without re-reading files
    con = duckdb.connect()
    old_tags = {"utm_source": "VARCHAR", "utm_medium": "VARCHAR", "utm_campaign": "VARCHAR", "utm_content": "VARCHAR"}
    before = {name: duckdb_type(dtype) for name, dtype in {**ENTITIES["ad_objects"], **PROVENANCE}.items()}
    before = {**{name: sql for name, sql in before.items() if name != "link_urls"}, **old_tags}
    con.execute("CREATE SCHEMA raw")
    con.execute(f"CREATE TABLE raw.ad_objects ({', '.join(f'{n} {t}' for n, t in before.items())})")
    con.execute(
        "INSERT INTO raw.ad_objects (object_type, object_id, utm_source, utm_campaign) VALUES"
        " ('creative', 'cr_1', 'facebook', 'autumn'), ('ad', 'ad_1', null, null)"
    )

    ensure_raw_schema(con)
    assert rows(con, "SELECT object_id, link_urls FROM raw.ad_objects ORDER BY object_id") == [
        {"object_id": "ad_1", "link_urls": None},
        {"object_id": "cr_1", "link_urls": ["?utm_source=facebook&utm_campaign=autumn"]},
    ]
    ensure_raw_schema(con)  # the column exists now: nothing is filled twice
    assert rows(con, "SELECT count(link_urls) AS n FROM raw.ad_objects") == [{"n": 1}]


def test_a_column_whose_type_changed_is_an_error_not_a_silent_cast():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.people (platform VARCHAR, person_id BIGINT)")
    with pytest.raises(TypeError, match="person_id is BIGINT"):
        ensure_raw_schema(con)


def test_the_same_file_twice_lands_once(warehouse, land, run_ingest, rows):
    land("x_twitter_v2/two_tweets.jsonl")
    first = run_ingest(con=warehouse)
    second = run_ingest(con=warehouse, batch_id="batch-2")
    assert [report.status for report in first] == ["loaded"]
    assert second[0].status == "duplicate_file" and "already loaded" in second[0].message
    assert _count(warehouse, "interactions") == 2 and _count(warehouse, "people") == 2
    manifest = rows(warehouse, "SELECT status, rows_read, rows_accepted FROM raw.file_manifest ORDER BY _ingested_at")
    assert manifest == [
        {"status": "loaded", "rows_read": 4, "rows_accepted": 4},
        {"status": "duplicate_file", "rows_read": 0, "rows_accepted": 0},
    ]
    run_ingest(con=warehouse, batch_id="batch-3")  # seen again with the same outcome: not logged again
    assert _count(warehouse, "file_manifest") == 2


def test_the_same_record_in_two_files_lands_once_and_a_correction_is_a_new_row(warehouse, land, run_ingest, landing):
    original = land("x_twitter_v2/two_tweets.jsonl")
    run_ingest(con=warehouse)
    page = json.loads(original.read_text())

    page["__twarc"]["retrieved_at"] = "2021-05-20T00:00:00+00:00"  # another fetch of the same tweets
    (landing / "refetch.jsonl").write_text(json.dumps(page) + "\n")
    (refetch,) = run_ingest(paths=[landing / "refetch.jsonl"], con=warehouse, batch_id="batch-2")
    assert refetch.rows_accepted == 4
    assert _count(warehouse, "interactions") == 2  # identical tweets: no new rows
    assert _count(warehouse, "people") == 4  # the profiles were observed at a new time: new observations

    page["data"][0]["public_metrics"]["like_count"] = 7  # a corrected record
    (landing / "corrected.jsonl").write_text(json.dumps(page) + "\n")
    (corrected,) = run_ingest(paths=[landing / "corrected.jsonl"], con=warehouse, batch_id="batch-3")
    assert corrected.rows_inserted == 1
    likes = warehouse.execute(
        "SELECT like_count FROM raw.interactions WHERE interaction_id = '1394735776701816833' ORDER BY _ingested_at"
    ).fetchall()
    assert likes == [(0,), (7,)]  # history kept; staging picks the newest


def test_the_loader_fills_text_hash_and_provenance(warehouse, land, run_ingest, rows):
    land("x_twitter_v2/two_tweets.jsonl", to="x/2021/two_tweets.jsonl")
    run_ingest(con=warehouse, batch_id="run-42")
    tweet = rows(warehouse, "SELECT * FROM raw.interactions WHERE interaction_id = '1391677057810288641'")[0]
    assert tweet["text_hash"] == text_hash("#POIUYTREWQ")
    assert (tweet["_source_file"], tweet["_source_line"], tweet["_batch_id"]) == (
        "x/2021/two_tweets.jsonl",
        1,
        "run-42",
    )
    assert len(tweet["_record_hash"]) == 64
    retweet = rows(warehouse, "SELECT text, text_hash FROM raw.interactions WHERE interaction_type = 'share'")[0]
    assert retweet == {"text": None, "text_hash": None}


def test_people_without_a_response_time_are_observed_when_loaded(warehouse, fixtures_dir, landing, run_ingest, rows):
    page = json.loads((fixtures_dir / "x_twitter_v2/two_tweets.jsonl").read_text())
    del page["__twarc"]
    (landing / "plain.json").write_text(json.dumps(page))
    run_ingest(con=warehouse)
    observed = rows(warehouse, "SELECT DISTINCT observed_at = _ingested_at AS same FROM raw.people")
    assert observed == [{"same": True}]


def test_a_crash_mid_file_leaves_nothing_half_loaded(warehouse):
    def chunks():
        frame = pl.DataFrame(
            {"platform": ["x"], "person_id": ["1"], "handle": ["a"], "_source_line": [1]},
        )
        yield ReadResult(format="test", frames={"people": frame}, rows_read=1, rows_accepted=1)
        raise RuntimeError("disk on fire")

    entry = ManifestEntry("f.jsonl", "0" * 64, 10, "test", "loaded", None, "b", datetime.now(UTC))
    progress = FileLoad()
    with pytest.raises(RuntimeError, match="disk on fire"):
        load_file(warehouse, chunks(), entry, progress=progress)
    assert progress.rows_read == 1  # it got that far ...
    assert _count(warehouse, "people") == 0 and _count(warehouse, "file_manifest") == 0  # ... and rolled back
    assert warehouse.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ingest_staging'"
    ).fetchone() == (0,)


def test_an_error_that_ended_the_transaction_is_raised_not_the_rollback_that_fails_after_it(tmp_path):
    # a commit that cannot write (here its log path is a folder; a full disk alike) ends the transaction itself
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
    with duckdb.connect(str(path)) as con, pytest.raises(duckdb.Error, match="Failed to commit"):
        (tmp_path / "warehouse.duckdb.wal").mkdir()
        with _transaction(con):
            con.execute("INSERT INTO raw.quarantine (source_file) VALUES ('a.csv')")
            con.execute("COMMIT")
