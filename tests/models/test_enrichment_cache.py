import duckdb
import polars as pl
import pytest

from ingest.text import text_hash
from models.cache import ensure_enrichment_table, store, store_files, texts_to_enrich, write_scores
from models.schema import TEXT_ENRICHMENT

TEXTS = ["Love the autumn blend", " Love  the autumn blend ", "Parcel never arrived", "Do you ship to Ireland?"]


@pytest.fixture
def con():
    connection = duckdb.connect(":memory:")
    connection.execute("create schema raw")
    connection.execute("create table raw.interactions (interaction_id varchar, text_hash varchar, text varchar)")
    rows = [(f"i{index}", text_hash(text), text) for index, text in enumerate(TEXTS)] + [("i9", None, None)]
    connection.executemany("insert into raw.interactions values (?, ?, ?)", rows)
    ensure_enrichment_table(connection)
    yield connection
    connection.close()


def test_table_has_the_contract_columns_and_key(con):
    columns = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'enrichment' and table_name = 'text_enrichment' order by ordinal_position"
    ).fetchall()
    assert [name for (name,) in columns] == list(TEXT_ENRICHMENT)
    ensure_enrichment_table(con)  # a second call is harmless


def test_each_unique_text_is_scored_once_per_model_version(con, enricher):
    pending = texts_to_enrich(con, enricher.model_version)
    assert pending.columns == ["text_hash", "text"]
    assert pending.height == 3  # two spellings of one text share a hash; the row without text is skipped
    store(con, enricher.enrich(pending))
    assert texts_to_enrich(con, enricher.model_version).height == 0

    con.execute("insert into raw.interactions values ('i10', ?, 'A brand new text')", [text_hash("A brand new text")])
    pending = texts_to_enrich(con, enricher.model_version)
    assert pending["text"].to_list() == ["A brand new text"]

    assert texts_to_enrich(con, "another-version").height == 4  # a new model version re-scores everything


def test_store_is_idempotent_on_text_hash_and_model_version(con, enricher):
    enriched = enricher.enrich(texts_to_enrich(con, enricher.model_version))
    store(con, enriched)
    store(con, enriched)
    [(count,)] = con.sql("select count(*) from enrichment.text_enrichment").fetchall()
    assert count == enriched.height
    stored = con.sql("select sentiment_label from enrichment.text_enrichment order by text_hash").fetchall()
    assert [label for (label,) in stored] == enriched.sort("text_hash")["sentiment_label"].to_list()


def test_store_refuses_a_frame_missing_columns(con):
    with pytest.raises(ValueError, match="lacks columns"):
        store(con, pl.DataFrame({"text_hash": ["x"]}))


def test_scores_landed_from_parquet_files_are_those_scored_and_land_once(con, enricher, tmp_path):
    pending = texts_to_enrich(con, enricher.model_version)
    parts = [enricher.enrich(pending[:2]), enricher.enrich(pending[2:])]
    # two workers' files, as orchestration.assets.enrichment writes them
    files = [tmp_path / "bucket-0" / "part-0.parquet", tmp_path / "bucket-1" / "part-0.parquet"]
    for path, part in zip(files, parts, strict=True):
        assert write_scores(part, path) == part.height
    assert store_files(con, files) == pending.height
    assert store_files(con, files) == pending.height  # landing again (a rerun after a kill) adds nothing
    assert store_files(con, []) == 0
    landed = con.sql("select * from enrichment.text_enrichment order by text_hash").fetchall()

    direct = duckdb.connect(":memory:")
    ensure_enrichment_table(direct)
    store(direct, pl.concat(parts))
    assert direct.sql("select * from enrichment.text_enrichment order by text_hash").fetchall() == landed
    assert not list(tmp_path.rglob(".*.writing"))  # written whole, then renamed into place


def test_a_commit_that_fails_is_the_error_raised_not_the_rollback_after_it(enricher, tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        ensure_enrichment_table(connection)
    scores = tmp_path / "part-0.parquet"
    write_scores(enricher.enrich(pl.DataFrame({"text_hash": [text_hash(TEXTS[0])], "text": [TEXTS[0]]})), scores)
    with duckdb.connect(str(path)) as connection, pytest.raises(duckdb.Error, match="Failed to commit"):
        (tmp_path / "warehouse.duckdb.wal").mkdir()  # the commit cannot write its log, as on a full disk
        store_files(connection, [scores])
