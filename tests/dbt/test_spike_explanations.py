"""Spikes that explain themselves, on a planted spike: two weeks of generated mentions of a brand with a steady mix of
themes (assigned directly in the theme tables, as the clustering would, in the brand's group), and on one day a wave
of negative texts of one theme. Through a real `dbt build` and the real Dagster check: the planted theme must rank
first in spike_explanations for that day, and the check's warning must name it first, quoting theme labels only.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from ingest.schema import ENTITIES, PROVENANCE
from ingest.text import text_hash
from ingest.warehouse import ensure_raw_schema
from models.cache import ensure_enrichment_table
from models.schema import TEXT_ENRICHMENT
from models.theme_tables import ensure_theme_tables
from orchestration.checks import audience_volume_spike, negative_sentiment_spike
from orchestration.resources import WarehouseResource
from ror_config import parse_config, write_config_tables

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
BRAND = {"id": "acme", "account_id": "100", "handle": "AcmeCoffee"}
CONFIG = yaml.safe_dump(
    {
        "brands": [
            {
                "id": BRAND["id"],
                "name": "Acme Coffee",
                "accounts": [{"platform": "x", "account_id": BRAND["account_id"], "handle": BRAND["handle"]}],
            }
        ]
    }
)
# theme id -> (label, sentiment of its texts, texts)
THEMES = {
    "theme-0001": ("great coffee", "positive", ["best coffee in town", "the new roast is great", "love this coffee"]),
    "theme-0002": ("opening hours", "neutral", ["open on sunday?", "what time do you close", "hours on holidays?"]),
    "theme-0003": ("refund charged", "negative", ["charged twice, refund me", "still waiting on my refund"]),
    "theme-0004": ("late delivery", "negative", ["my order is late again", "delivery never arrived", "parcel late"]),
}
UNTHEMED = "ok"
# a day's usual mix: theme -> (fewest, most) mentions
STEADY_MIX = {"theme-0001": (4, 6), "theme-0002": (2, 4), "theme-0003": (1, 3), "theme-0004": (0, 2)}
PLANTED_THEME, PLANTED_WAVE = "theme-0004", 10
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAYS, PLANTED_DAY = 14, 11  # the planted day falls within the check's latest 7 days
SEED = 26


def _mentions() -> list[dict]:
    rng = random.Random(SEED)
    customers = [(f"9{n:03d}", f"customer_{n}") for n in range(40)]
    rows: list[dict] = []

    def mention(at: datetime, text: str) -> None:
        author = rng.choice(customers)
        rows.append(
            {
                "interaction_id": str(1000 + len(rows)),
                "conversation_id": str(1000 + len(rows)),
                "interaction_type": "mention",
                "created_at": at,
                "author_id": author[0],
                "author_handle": author[1],
                "text": text,
                "mentioned_handles": [BRAND["handle"]],
            }
        )

    for day in range(DAYS):
        moment = START + timedelta(days=day)
        day_texts = [UNTHEMED]
        for theme_id, (fewest, most) in STEADY_MIX.items():
            day_texts += [rng.choice(THEMES[theme_id][2]) for _ in range(rng.randint(fewest, most))]
        if day == PLANTED_DAY:
            day_texts += [rng.choice(THEMES[PLANTED_THEME][2]) for _ in range(PLANTED_WAVE)]
        for minute, text in enumerate(day_texts):
            mention(moment + timedelta(minutes=7 * minute), text)
    return rows


def _load(path: Path, rows: list[dict]) -> None:
    schema = ENTITIES["interactions"]
    frame = (
        pl.DataFrame(
            [{column: row.get(column) for column in schema} | {"platform": "x", "record_version": 0} for row in rows],
            schema=schema,
        )
        .with_columns(pl.col("text").map_elements(text_hash, return_dtype=pl.String).alias("text_hash"))
        .with_row_index("_source_line", offset=1)
        .with_columns(
            pl.lit("generated/mentions.jsonl").alias("_source_file"),
            pl.col("_source_line").cast(pl.Int64),
            pl.col("interaction_id").alias("_record_hash"),
            pl.lit("batch-1").alias("_batch_id"),
            pl.lit(START + timedelta(days=DAYS)).dt.cast_time_unit("us").alias("_ingested_at"),
        )
    )
    sentiments = {text: sentiment for _, sentiment, texts in THEMES.values() for text in texts} | {UNTHEMED: "neutral"}
    enrichment = pl.DataFrame(
        [
            {"text_hash": text_hash(text), "model_name": "test", "model_version": "v1", "sentiment_label": label}
            | {"enriched_at": START + timedelta(days=DAYS)}
            for text, label in sentiments.items()
        ]
    )
    enrichment = enrichment.with_columns(
        [pl.lit(None, dtype).alias(name) for name, dtype in TEXT_ENRICHMENT.items() if name not in enrichment.columns]
    ).select([pl.col(name).cast(dtype) for name, dtype in TEXT_ENRICHMENT.items()])
    assigned_at = START + timedelta(days=DAYS)
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
        ensure_enrichment_table(con)
        ensure_theme_tables(con)
        for table, data in (
            ("raw.interactions", frame.select(*schema, *PROVENANCE)),
            ("enrichment.text_enrichment", enrichment),
        ):
            parquet = Path(scratch) / f"{table}.parquet"
            data.write_parquet(parquet)
            con.execute(f"insert into {table} by name select * from read_parquet('{parquet}')")
        for theme_id, (label, _, texts) in THEMES.items():
            con.execute(
                "insert into enrichment.themes values (?, ?, ?, 'v1', 'test-rules', ?, ?)",
                [theme_id, BRAND["id"], label, b"\x00" * 4, assigned_at],
            )
            for text in texts:
                con.execute(
                    "insert into enrichment.theme_assignments values (?, ?, ?, 0.9, 'assigned', 'v1', ?)",
                    [text_hash(text), BRAND["id"], theme_id, assigned_at],
                )
        write_config_tables(con, parse_config(CONFIG))


def _build(path: Path, target: Path) -> None:
    # in a process of its own: dbt-duckdb keeps its connection to the file open in the process that ran it, and the
    # check then cannot open the file read-only beside it
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            "build",
            "--select",
            "+spike_explanations",
            "--indirect-selection",
            "cautious",
            "--exclude",
            "test_type:unit",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        env={**os.environ, "ROR_WORK_DB": str(path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-4000:]}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> WarehouseResource:
    root = tmp_path_factory.mktemp("planted_spike")
    resource = WarehouseResource(serving_path=str(root / "ror.duckdb"))
    _load(resource.working_path, _mentions())
    _build(resource.working_path, root / "target")
    return resource


PLANTED_DATE = (START + timedelta(days=PLANTED_DAY)).date()


def test_the_planted_theme_ranks_first_on_its_spike_day(warehouse: WarehouseResource):
    with duckdb.connect(str(warehouse.working_path), read_only=True) as con:
        spikes = con.execute(
            "select activity_date, is_negative_spike, is_volume_spike from marts.sentiment_trend "
            "where campaign_scope = 'account' and (is_negative_spike or is_volume_spike)"
        ).fetchall()
        explained = con.execute(
            "select spike_kind, theme_rank, theme_id, theme_label, theme_interactions, lift, example_interaction_key_1 "
            "from marts.spike_explanations where activity_date = ? order by spike_kind, theme_rank",
            [PLANTED_DATE],
        ).fetchall()
    # the wave is the only spike of the fortnight, of both kinds
    assert spikes == [(PLANTED_DATE, True, True)]
    first = {kind: (theme_id, label) for kind, rank, theme_id, label, *_ in explained if rank == 1}
    assert first == {"negative": (PLANTED_THEME, "late delivery"), "volume": (PLANTED_THEME, "late delivery")}
    for kind, rank, _, _, count, lift, example in explained:
        assert count >= 2 and example is not None
        if rank == 1:
            assert count >= PLANTED_WAVE and lift > 2, kind


def test_the_check_warning_names_the_planted_theme_and_no_text(warehouse: WarehouseResource):
    negative = negative_sentiment_spike(warehouse=warehouse)
    volume = audience_volume_spike(warehouse=warehouse)

    assert not negative.passed and not volume.passed
    day = f"{PLANTED_DATE:%b} {PLANTED_DATE.day}"
    assert negative.description.startswith(f"negative spike on {day} (x, acme): 'late delivery' x")
    assert volume.description.startswith(f"volume spike on {day} (x, acme): 'late delivery' x")
    texts = [text for _, _, theme_texts in THEMES.values() for text in theme_texts]
    for warning in (negative.description, volume.description):
        assert not [text for text in texts if text in warning]
        assert "customer_" not in warning
