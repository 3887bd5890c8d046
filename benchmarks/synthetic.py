"""A working database with millions of already-enriched interactions, synthesised in DuckDB for the dbt benchmark.

A template of real exports (``ror generate``, 20k interactions over 10 days) is ingested the normal way, then its
interactions are copied inside DuckDB until the table holds the requested number of rows: each copy gets its own ids
(parents and threads follow), lands on another stretch of the year (copies share days once the year is full, so a
day's volume grows with the total), and four copies in ten of a text become a new text. Enrichment rows are
synthesised from the text hash (no model runs), so the measure is dbt's alone. Ads and CRM tables stay the template's;
the configuration (brands, accounts, campaigns) is the template's ror.yaml.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from generators import DEFAULT_START, generate_exports
from ingest.pipeline import ingest_paths
from ingest.warehouse import ensure_raw_schema
from models.cache import ensure_enrichment_table
from models.theme_tables import ensure_theme_tables
from ror_config.loading import load_config
from ror_config.tables import write_config_tables

TEMPLATE_INTERACTIONS = 20_000
TEMPLATE_DAYS = 10
YEAR_DAYS = 365
MODEL_VERSION = "synthetic-benchmark"


@dataclass(frozen=True)
class SyntheticWarehouse:
    rows: int
    days: int
    copies: int
    last_day: date


def _copied(column: str) -> str:
    return f"case when {column} is null then null else {column} || '~' || copy end"


def build_synthetic_warehouse(database: Path, rows: int, template: Path) -> SyntheticWarehouse:
    database.parent.mkdir(parents=True, exist_ok=True)
    generate_exports(template, interactions=min(rows, TEMPLATE_INTERACTIONS), days=TEMPLATE_DAYS, seed=7)
    with duckdb.connect(str(database), config={"memory_limit": "4GB"}) as con:
        ensure_raw_schema(con)
        # the brands, accounts and campaigns dbt reads from schema config, as the configuration asset writes them
        write_config_tables(con, load_config(template / "ror.yaml"))
        landing = template / "landing"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the development salt's warning: generated people have no real emails
            ingest_paths([landing], landing_root=landing, con=con, batch_id="synthetic-template")
        (template_rows,) = con.execute("select count(*) from raw.interactions").fetchone()
        copies = max(1, math.ceil(rows / template_rows))
        slots = YEAR_DAYS // TEMPLATE_DAYS
        columns = _columns(con)
        replaced = {
            "interaction_id": _copied("interaction_id"),
            "parent_id": _copied("parent_id"),
            "conversation_id": _copied("conversation_id"),
            "created_at": f"created_at + to_days(cast((copy % {slots}) * {TEMPLATE_DAYS} as integer))",
            "text_hash": "case when text_hash is not null and hash(interaction_id, copy) % 10 < 4 "
            "then left(md5(text_hash || copy), 32) else text_hash end",
            "_record_hash": "md5(_record_hash || copy)",
        }
        select = ", ".join(replaced.get(name, name) for name in columns)
        con.execute(
            f"insert into raw.interactions select {select} "
            f"from raw.interactions, range(1, {copies}) as copies(copy) "
            f"limit {max(0, rows - template_rows)}"
        )
        _enrich(con)
        (total, days, last) = con.execute(
            "select count(*), count(distinct cast(created_at as date)), max(cast(created_at as date)) "
            "from raw.interactions"
        ).fetchone()
    return SyntheticWarehouse(total, days, copies, last)


def _enrich(con: duckdb.DuckDBPyConnection) -> None:
    """Scores for every text not scored yet, drawn from its hash: deterministic and about as spread as real ones.
    The theme tables are created empty: clustering is the refresh's themes step, not dbt's work, so the dbt measure
    builds the theme marts over no themes."""
    ensure_enrichment_table(con)
    ensure_theme_tables(con)
    con.execute(
        f"""
        insert into enrichment.text_enrichment
        with texts as (
            select distinct text_hash from raw.interactions where text_hash is not null
            except select text_hash from enrichment.text_enrichment where model_version = '{MODEL_VERSION}'
        ),
        draws as (
            select text_hash, (hash(text_hash) % 1000) / 1000.0 as u, (hash(text_hash || 'e') % 1000) / 1000.0 as v
            from texts
        )
        select
            text_hash,
            'synthetic' as model_name,
            '{MODEL_VERSION}' as model_version,
            case when u < 0.2 then 'negative' when u < 0.5 then 'neutral' else 'positive' end as sentiment_label,
            0.6 * (1 - u) as p_negative,
            0.25 as p_neutral,
            0.15 + 0.6 * u as p_positive,
            case when v < 0.15 then 'anger' when v < 0.6 then 'joy' when v < 0.85 then 'optimism' else 'sadness' end,
            0.25, 0.25, 0.25, 0.25,
            v < 0.12, u < 0.1, u > 0.7, v > 0.93, v between 0.5 and 0.55,
            u > 0.15,
            'en',
            timestamp with time zone '{DEFAULT_START.isoformat()} 00:00:00+00'
        from draws
        """
    )


def add_synthetic_day(database: Path, built: SyntheticWarehouse) -> date:
    """One more day at the year's daily volume: the template's busiest day, copied as often as the copies share a day,
    onto the day after the last, with new ids. Returns that day."""
    new_day = date.fromordinal(built.last_day.toordinal() + 1)
    per_day = max(1, math.ceil(built.copies / (YEAR_DAYS // TEMPLATE_DAYS)))
    with duckdb.connect(str(database), config={"memory_limit": "4GB"}) as con:
        columns = _columns(con)
        replaced = {
            "interaction_id": "interaction_id || '~new' || copy",
            "parent_id": "case when parent_id is null then null else parent_id || '~new' || copy end",
            "conversation_id": "case when conversation_id is null then null else conversation_id || '~new' || copy end",
            "created_at": f"created_at + to_days(cast(date '{new_day}' - cast(created_at as date) as integer))",
            "text_hash": "case when text_hash is not null and hash(interaction_id, copy) % 10 < 4 "
            "then left(md5(text_hash || 'new' || copy), 32) else text_hash end",
            "_record_hash": "md5(_record_hash || 'new' || copy)",
            # a later load, as a day's refresh is: incremental models find what arrived by its load time
            "_ingested_at": "current_timestamp",
        }
        select = ", ".join(replaced.get(name, name) for name in columns)
        con.execute(
            f"""
            insert into raw.interactions
            select {select} from raw.interactions, range({per_day}) as copies(copy)
            where interaction_id not like '%~%' and cast(created_at as date) = (
                select cast(created_at as date) from raw.interactions
                where interaction_id not like '%~%' group by 1 order by count(*) desc limit 1
            )
            """
        )
        _enrich(con)
    return new_day


def _columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'interactions' order by ordinal_position"
        ).fetchall()
    ]
