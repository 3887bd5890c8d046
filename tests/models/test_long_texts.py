"""A huge text never reaches scoring whole (issue 23): the query that collects texts and the enricher both cut it to
what the models read, so it costs no more than a long post and scores as its start does."""

from __future__ import annotations

import duckdb
import polars as pl

from ingest.limits import MAX_SCORED_TEXT_CHARS
from ingest.text import text_hash
from models.cache import ensure_enrichment_table, texts_to_enrich

ENGLISH = "We ordered the autumn blend twice and both parcels arrived late and damaged, please help. "
GERMAN = "Die Lieferung kam wieder zu spät und die Verpackung war beschädigt, bitte helfen Sie uns. "


def _long_text() -> str:
    """English for more than the models read, then a German tail forty times as long."""
    start = (ENGLISH * (MAX_SCORED_TEXT_CHARS // len(ENGLISH) + 1))[:MAX_SCORED_TEXT_CHARS]
    return start + GERMAN * (40 * MAX_SCORED_TEXT_CHARS // len(GERMAN))


def test_texts_to_score_are_cut_in_the_query_and_keep_their_hash():
    long_text = _long_text()
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.interactions (interaction_id varchar, text_hash varchar, text varchar)")
    rows = [("1", text_hash(long_text), long_text), ("2", text_hash("short"), "short")]
    con.executemany("insert into raw.interactions values (?, ?, ?)", rows)
    ensure_enrichment_table(con)
    pending = dict(texts_to_enrich(con, "v1").iter_rows())
    assert pending == {text_hash(long_text): long_text[:MAX_SCORED_TEXT_CHARS], text_hash("short"): "short"}
    con.close()


def test_a_long_text_scores_as_its_start_and_keeps_its_hash(enricher):
    long_text = _long_text()
    start = long_text[:MAX_SCORED_TEXT_CHARS]
    frame = pl.DataFrame({"text_hash": ["long", "start"], "text": [long_text, start]})
    long_row, start_row = enricher.enrich(frame).drop("enriched_at").to_dicts()
    assert long_row["text_hash"] == "long"
    assert long_row["detected_lang"] == "en"  # the German tail beyond what the models read is not looked at
    assert {**long_row, "text_hash": "start"} == start_row
