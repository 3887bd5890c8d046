"""Themes in the warehouse: ``enrichment.themes`` and ``enrichment.theme_assignments``, refreshed day by day.

``refresh_themes`` clusters every text that has an embedding for the model version again, in text_hash order, and
carries the stored themes over (``models.themes.refresh``): known themes keep their id, label and created_at, their
centroid follows their texts, and new groups get new ids. Every assignment is rewritten; a text whose theme did not
change keeps its assigned_at, so a refresh with no new text changes nothing. A day-by-day warehouse and a rebuild
over the same texts therefore hold the same groups, differing only in id naming. A different model version or
different rules (their fingerprint) start over. Low-effort texts (``is_substantive`` false: "nice!", emoji) are
recorded with status ``low_effort`` and no theme, so every scored text has exactly one row.
Themes are found over the whole warehouse (every brand's texts): brands and their competitors are compared on the
same themes, and brand attribution happens later, in dbt (theme_trend is per brand). dbt reads both tables as
sources. No Dagster here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import polars as pl

from models.cache import _ArrowStream
from models.embeddings import TABLE as EMBEDDING_TABLE
from models.embeddings import dequantise
from models.themes import NO_THEME, ThemeRules, Themes, refresh

THEMES_TABLE = "enrichment.themes"
ASSIGNMENTS_TABLE = "enrichment.theme_assignments"
STATUSES = ("assigned", "unplaced", "low_effort")


@dataclass(frozen=True)
class ThemeRefresh:
    rebuilt: bool
    texts_considered: int
    texts_assigned: int
    texts_unplaced: int
    texts_moved: int  # texts already themed (or unplaced) whose theme changed as the themes sharpened
    new_themes: int
    themes: int


def ensure_theme_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists enrichment")
    con.execute(
        f"create table if not exists {THEMES_TABLE} (theme_id varchar primary key, label varchar, "
        "model_version varchar, rules_fingerprint varchar, centroid blob, created_at timestamptz)"
    )
    con.execute(
        f"create table if not exists {ASSIGNMENTS_TABLE} (text_hash varchar primary key, theme_id varchar, "
        "similarity double, status varchar, model_version varchar, assigned_at timestamptz)"
    )


def load_themes(con: duckdb.DuckDBPyConnection, dim: int) -> Themes:
    rows = con.execute(f"select theme_id, label, centroid from {THEMES_TABLE} order by theme_id").fetchall()
    if not rows:
        return Themes.empty(dim)
    centroids = np.frombuffer(b"".join(blob for *_, blob in rows), dtype=np.float32).reshape(len(rows), -1)
    return Themes(tuple(row[0] for row in rows), tuple(row[1] for row in rows), centroids.copy())


def _stale(con: duckdb.DuckDBPyConnection, model_version: str, rules: ThemeRules) -> bool:
    [(other,)] = con.execute(
        f"select count(*) from {THEMES_TABLE} where model_version <> ? or rules_fingerprint <> ?",
        [model_version, rules.fingerprint()],
    ).fetchall()
    [(assigned_elsewhere,)] = con.execute(
        f"select count(*) from {ASSIGNMENTS_TABLE} where model_version <> ?", [model_version]
    ).fetchall()
    return bool(other or assigned_elsewhere)


def _texts(con: duckdb.DuckDBPyConnection, model_version: str) -> pl.DataFrame:
    """Every text with an embedding, with its theme so far, in text_hash order: the canonical order that makes a
    refresh cluster the same texts exactly as a rebuild would, whatever day each arrived."""
    query = con.sql(
        f"""
        select embeddings.text_hash, any_value(interactions.text) as text,
            any_value(embeddings.embedding) as embedding, any_value(embeddings.embedding_scale) as embedding_scale,
            coalesce(any_value(scores.is_substantive), true) as is_substantive,
            -- '' and 0 for none: numpy has no null strings or times
            coalesce(any_value(assigned.theme_id), '') as known_theme_id,
            coalesce(any_value(assigned.status), '') as known_status,
            coalesce(epoch_us(any_value(assigned.assigned_at)), 0) as known_assigned_us
        from {EMBEDDING_TABLE} as embeddings
        inner join raw.interactions as interactions on interactions.text_hash = embeddings.text_hash
        left join enrichment.text_enrichment as scores
            on scores.text_hash = embeddings.text_hash and scores.model_version = embeddings.model_version
        left join {ASSIGNMENTS_TABLE} as assigned on assigned.text_hash = embeddings.text_hash
        where embeddings.model_version = $model_version
        group by embeddings.text_hash
        order by embeddings.text_hash
        """,
        params={"model_version": model_version},
    )
    return pl.DataFrame(query.fetchnumpy())


def refresh_themes(
    con: duckdb.DuckDBPyConnection,
    model_version: str,
    rules: ThemeRules,
    now: datetime,
    keep_words: frozenset[str] = frozenset(),
) -> ThemeRefresh:
    """Re-cluster every text of ``model_version`` and carry the stored themes over, in one transaction; see the
    module docstring."""
    ensure_theme_tables(con)
    con.execute("begin transaction")
    try:
        rebuilt = _stale(con, model_version, rules)
        if rebuilt:
            con.execute(f"delete from {THEMES_TABLE}").fetchall()
            con.execute(f"delete from {ASSIGNMENTS_TABLE}").fetchall()
        texts = _texts(con, model_version)
        substantive = texts.filter(pl.col("is_substantive"))
        embeddings = dequantise(substantive["embedding"].to_list(), substantive["embedding_scale"].to_numpy())
        before = load_themes(con, embeddings.shape[1] if len(embeddings) else 0)
        index_of = {theme: index for index, theme in enumerate(before.ids)}
        known = np.array([index_of.get(theme, NO_THEME) for theme in substantive["known_theme_id"].to_list()])
        themes, placement = (
            refresh(before, known, substantive["text"].to_list(), embeddings, rules, keep_words)
            if substantive.height
            else (before, None)
        )
        _write_themes(con, themes, len(before), model_version, rules, now)
        assignments = _assignments(texts, substantive, themes, placement, model_version, now)
        con.execute(f"delete from {ASSIGNMENTS_TABLE}").fetchall()
        con.register("incoming_assignments", _ArrowStream(assignments))
        try:
            con.execute(f"insert into {ASSIGNMENTS_TABLE} by name select * from incoming_assignments").fetchall()
        finally:
            con.unregister("incoming_assignments")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    status = assignments["status"]
    moved = texts.join(assignments, on="text_hash").filter(
        (pl.col("known_status") != "")
        & (
            (pl.col("known_theme_id") != pl.col("theme_id").fill_null(""))
            | (pl.col("known_status") != pl.col("status"))
        )
    )
    return ThemeRefresh(
        rebuilt,
        texts.height,
        int((status == "assigned").sum()),
        int((status == "unplaced").sum()),
        moved.height,
        len(themes) - len(before),
        len(themes),
    )


def _write_themes(con, themes: Themes, known: int, model_version: str, rules: ThemeRules, now: datetime) -> None:
    """Known themes keep id, label and created_at (their centroid follows their texts); new ones are added."""
    for index in range(len(themes)):
        centroid = themes.centroids[index].astype(np.float32).tobytes()
        if index < known:
            con.execute(f"update {THEMES_TABLE} set centroid = ? where theme_id = ?", [centroid, themes.ids[index]])
            continue
        con.execute(
            f"insert into {THEMES_TABLE} values (?, ?, ?, ?, ?, ?)",
            [themes.ids[index], themes.labels[index], model_version, rules.fingerprint(), centroid, now],
        ).fetchall()


def _assignments(texts, substantive, themes: Themes, placement, model_version: str, now: datetime) -> pl.DataFrame:
    ids = np.array(themes.ids + ("",), dtype=object)
    placed = (
        pl.DataFrame(
            {
                "text_hash": substantive["text_hash"],
                "theme_id": ids[placement.theme],  # NO_THEME (-1) picks the trailing "": no theme
                "similarity": placement.similarity,
            }
        )
        if placement is not None
        else pl.DataFrame(schema={"text_hash": pl.String, "theme_id": pl.String, "similarity": pl.Float64})
    )
    rows = texts.select("text_hash", "is_substantive", "known_theme_id", "known_status", "known_assigned_us").join(
        placed, on="text_hash", how="left"
    )
    return rows.with_columns(
        pl.when(pl.col("theme_id") != "").then(pl.col("theme_id")).alias("theme_id"),
        pl.when(~pl.col("is_substantive"))
        .then(pl.lit("low_effort"))
        .when(pl.col("theme_id") == "")
        .then(pl.lit("unplaced"))
        .otherwise(pl.lit("assigned"))
        .alias("status"),
    ).select(
        "text_hash",
        "theme_id",
        pl.col("similarity").cast(pl.Float64).fill_nan(None),
        "status",
        pl.lit(model_version).alias("model_version"),
        # a text whose theme did not change keeps the time it got it: a refresh with nothing new changes nothing
        pl.when(
            (pl.col("known_theme_id") == pl.col("theme_id").fill_null(""))
            & (pl.col("known_status") == pl.col("status"))
        )
        .then(pl.from_epoch("known_assigned_us", "us").dt.replace_time_zone("UTC"))
        .otherwise(pl.lit(now).cast(pl.Datetime("us", "UTC")))
        .alias("assigned_at"),
    )
