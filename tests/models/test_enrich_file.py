import json

import polars as pl
import pytest

from models.enrich import EnrichConfig
from models.enrich_file import enrich_file, scan_table
from models.schema import TEXT_ENRICHMENT

ROWS = [
    {"post_id": "1600000000000000123", "body": "Absolutely love the new autumn blend!", "likes": "3"},
    {"post_id": "1600000000000000124", "body": "Parcel never arrived. Third time this year.", "likes": "0"},
    {"post_id": "1600000000000000125", "body": "  Absolutely love the new  autumn blend! ", "likes": "1"},
    {"post_id": "1600000000000000126", "body": None, "likes": "7"},
]


@pytest.fixture
def config(model_cache) -> EnrichConfig:
    return EnrichConfig(int8=False, cache_dir=model_cache)


def test_csv_in_parquet_out_keeps_rows_and_columns_and_scores_duplicates_once(tmp_path, config):
    source = tmp_path / "posts.csv"
    pl.DataFrame(ROWS).write_csv(source)
    output = pl.read_parquet(enrich_file(source, "body", tmp_path / "out" / "posts.parquet", config, progress=False))

    assert output.columns == ["post_id", "body", "likes", *TEXT_ENRICHMENT]
    assert output["post_id"].to_list() == [row["post_id"] for row in ROWS]  # ids stay exact strings, order kept
    first, second, duplicate, empty = output.to_dicts()
    assert duplicate["text_hash"] == first["text_hash"] != second["text_hash"]
    assert duplicate["p_positive"] == first["p_positive"]
    assert first["sentiment_label"] == "positive" and second["sentiment_label"] == "negative"
    assert empty["text_hash"] is None and empty["sentiment_label"] is None


def test_jsonl_and_parquet_inputs(tmp_path, config):
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text("\n".join(json.dumps(row) for row in ROWS) + "\n", encoding="utf-8")
    parquet = tmp_path / "posts.parquet"
    pl.DataFrame(ROWS).write_parquet(parquet)
    assert scan_table(jsonl).collect().equals(scan_table(parquet).collect())
    output = pl.read_parquet(enrich_file(jsonl, "body", tmp_path / "enriched.parquet", config, progress=False))
    assert output.height == len(ROWS)
    assert output["sentiment_label"].null_count() == 1


def test_bad_inputs_are_refused_with_a_reason(tmp_path, config):
    source = tmp_path / "posts.csv"
    pl.DataFrame(ROWS).write_csv(source)
    with pytest.raises(ValueError, match="no column 'text'"):
        enrich_file(source, "text", tmp_path / "out.parquet", config, progress=False)
    with pytest.raises(ValueError, match="expected one of"):
        enrich_file(tmp_path / "posts.xlsx", "body", tmp_path / "out.parquet", config, progress=False)
    clashing = tmp_path / "clash.csv"
    pl.DataFrame({"body": ["hello there"], "sentiment_label": ["x"]}).write_csv(clashing)
    with pytest.raises(ValueError, match="sentiment_label"):
        enrich_file(clashing, "body", tmp_path / "out.parquet", config, progress=False)
